# DiffKD (Huang et al., NeurIPS 2023) on ImageNet-1k, recipe "B1" (./_base_/diffkd_in1k.py).
# Teacher: ResNet-50 (mmpretrain zoo: 76.55 top-1; the paper's teacher: 76.16).
# Student: MobileNetV1 from scratch (paper baseline 70.13; not in the OpenMMLab zoo: the student
#   config configs/_base_/mobilenet-v1_8xb32_in1k.py trains the baseline)
#   -> paper: 73.62 top-1 / 91.34 top-5.
# Feature point: the final 7x7 maps (student 1024 channels, teacher 2048). The student config
# registers mmkd_ext itself, hence ../_base_/distill_hooks.py.
# Total batch 256 = 8 GPUs x 32:  bash tools/dist_train.sh CONFIG 8. Another GPU count: add
# --auto-scale-lr (lr x total / 256, from auto_scale_lr.base_batch_size = 256).
_base_ = [
    '../_base_/distill_hooks.py',
    '../_base_/teachers/in1k.py',
    './_base_/diffkd_in1k.py',
    '../_base_/mobilenet-v1_8xb32_in1k.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_resnet50_in1k,
    distill_points=dict(
        _base_.diffkd_in1k_points,
        feature=dict(
            _base_.diffkd_in1k_points.feature,
            connector=dict(
                **_base_.diffkd_feature_denoiser, student_channels=1024, teacher_channels=2048))))
optim_wrapper = dict(optimizer=dict(nesterov=True), paramwise_cfg=_base_.diffkd_paramwise_cfg)
