# DiffKD (Huang et al., NeurIPS 2023) on Cityscapes (./_base_/diffkd_cityscapes.py: teacher,
# point, recipe).
# Teacher: DeepLabV3 R101-D8, 512x1024, 80k iterations (mmseg zoo: 80.20 mIoU).
# Student: DeepLabV3 R18-D8 from an ImageNet-pretrained R18 (open-mmlab://resnet18_v1c); paper:
#   74.21 -> 77.78 val mIoU (mmseg's own R18 80k baseline is 76.70).
# Total batch 8 = 4 GPUs x 2:  bash tools/dist_train.sh CONFIG 4. Another GPU count: add
# --auto-scale-lr (lr x total / 8, from auto_scale_lr.base_batch_size = 8).
_base_ = [
    '../_base_/teachers/cityscapes.py',
    './_base_/diffkd_cityscapes.py',
    'mmseg::deeplabv3/deeplabv3_r18-d8_4xb2-80k_cityscapes-512x1024.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_deeplabv3_r101_cityscapes,
    distill_points=_base_.diffkd_logits_points)
optim_wrapper = dict(optimizer=dict(lr=0.02))
