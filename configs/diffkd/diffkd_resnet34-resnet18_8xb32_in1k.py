# DiffKD (Huang et al., NeurIPS 2023) on ImageNet-1k, recipe "B1" (./_base_/diffkd_in1k.py).
# Teacher: ResNet-34 (mmpretrain zoo: 73.62 top-1; the paper's teacher: 73.31).
# Student: ResNet-18 from scratch (paper baseline 69.76) -> paper: 72.22 top-1 / 90.64 top-5.
# Feature point: the backbone's final 512-channel 7x7 map in both networks. Schedule: the stock
# mmpretrain resnet18_8xb32_in1k.
# Total batch 256 = 8 GPUs x 32:  bash tools/dist_train.sh CONFIG 8. Another GPU count: add
# --auto-scale-lr (lr x total / 256, from auto_scale_lr.base_batch_size = 256).
_base_ = [
    '../_base_/distill_runtime.py',
    '../_base_/teachers/in1k.py',
    './_base_/diffkd_in1k.py',
    'mmpretrain::resnet/resnet18_8xb32_in1k.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_resnet34_in1k,
    distill_points=dict(
        _base_.diffkd_in1k_points,
        feature=dict(
            _base_.diffkd_in1k_points.feature,
            connector=dict(
                **_base_.diffkd_feature_denoiser, student_channels=512, teacher_channels=512))))
optim_wrapper = dict(optimizer=dict(nesterov=True), paramwise_cfg=_base_.diffkd_paramwise_cfg)
