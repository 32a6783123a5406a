# DiffKD (Huang et al., NeurIPS 2023) on ADE20K: the paper's Cityscapes recipe
# (./_base_/diffkd_cityscapes.py) adapted (the paper reports no ADE20K result).
# Teacher: DeepLabV3 R101-D8, 512x512, 160k iterations (mmseg zoo: 45.00 mIoU).
# Student: DeepLabV3 R18-D8 from an ImageNet-pretrained R18. mmseg has no R18 ADE20K config or
#   checkpoint: the student config (and its baseline run) is
#   configs/_base_/deeplabv3_r18-d8_4xb4-80k_ade20k-512x512.py.
#
# What differs from the Cityscapes setting: the teacher above, 150 classes at the logits point,
# the stock ADE20K pipeline (512x512 crops, random scale 0.5-2 and flip), 80k iterations at
# 4 GPUs x 4 images. Poly lr from 0.02 as there (the stock ADE20K schedule starts at 0.01).
# Total batch 16 = 4 GPUs x 4:  bash tools/dist_train.sh CONFIG 4. Another GPU count: add
# --auto-scale-lr (lr x total / 16, from auto_scale_lr.base_batch_size = 16).
_base_ = [
    '../_base_/teachers/ade20k.py',
    './_base_/diffkd_cityscapes.py',
    '../_base_/deeplabv3_r18-d8_4xb4-80k_ade20k-512x512.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_deeplabv3_r101_ade20k,
    distill_points=dict(
        logits=dict(
            _base_.diffkd_logits_points.logits,
            connector=dict(
                type='DiffKDDenoiser', student_channels=150, teacher_channels=150, kind='map'))))
optim_wrapper = dict(optimizer=dict(lr=0.02))
auto_scale_lr = dict(base_batch_size=16)
