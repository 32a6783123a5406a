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
_base_ = ['../_base_/deeplabv3_r18-d8_4xb4-80k_ade20k-512x512.py', './_base_/diffkd_cityscapes.py']

model = _base_.pop('distiller')
model.merge(dict(
    student=_base_.pop('model'),
    teacher=dict(
        config='mmseg::deeplabv3/deeplabv3_r101-d8_4xb4-160k_ade20k-512x512.py',
        checkpoint='https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/'
        'deeplabv3_r101-d8_512x512_160k_ade20k/'
        'deeplabv3_r101-d8_512x512_160k_ade20k_20200615_105816-b1f72b3b.pth'),
    distill_points=dict(
        logits=dict(connector=dict(student_channels=150, teacher_channels=150)))))
optim_wrapper = dict(optimizer=dict(lr=0.02))
auto_scale_lr = dict(base_batch_size=16)
