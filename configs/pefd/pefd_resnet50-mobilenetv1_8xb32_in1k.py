# PEFD (Chen et al., NeurIPS 2022), ImageNet-1k, ResNet-50 (teacher, 76.55 top-1 in mmpretrain's
# zoo) -> MobileNetV1. Paper: 73.16 top-1 / 91.24 top-5 (recalled; see docs/pefd.md).
# Recipe: the student config configs/_base_/mobilenet-v1_8xb32_in1k.py (100 epochs, batch 8x32,
# SGD lr 0.1 x0.1 at 30/60/90, wd 1e-4); loss = 1 * CE + 25 * cosine distance between the mean of
# q = 3 projectors Linear(1024, 2048) + ReLU applied to the pooled student feature and the raw
# pooled teacher feature (the shared setting: _base_/pefd_cls.py).
# Total batch 256 = 8 GPUs x 32:  bash tools/dist_train.sh CONFIG 8. Another GPU count: add
# --auto-scale-lr (lr x total / 256, from auto_scale_lr.base_batch_size = 256).
_base_ = [
    '../_base_/distill_hooks.py',
    '../_base_/teachers/in1k.py',
    './_base_/pefd_cls.py',
    '../_base_/mobilenet-v1_8xb32_in1k.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_resnet50_in1k,
    distill_points=dict(
        pefd=dict(
            student='neck[-1]',
            teacher='neck[-1]',
            connector=dict(**_base_.pefd_projectors, student_channels=1024, teacher_channels=2048),
            loss=_base_.pefd_loss)))
