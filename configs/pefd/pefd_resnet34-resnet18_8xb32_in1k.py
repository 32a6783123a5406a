# PEFD (Chen et al., "Improved Feature Distillation via Projector Ensemble", NeurIPS 2022),
# ImageNet-1k, ResNet-34 (teacher, 73.62 top-1 in mmpretrain's zoo) -> ResNet-18.
# Paper: 71.94 top-1 / 90.68 top-5 (recalled; see docs/pefd.md).
# Recipe: the student's stock config unchanged (100 epochs, batch 8x32, SGD lr 0.1 x0.1 at
# 30/60/90, wd 1e-4); loss = 1 * CE + 25 * cosine distance on the pooled penultimate features,
# q = 3 projectors Linear(512, 512) + ReLU (the shared setting: _base_/pefd_cls.py).
# Total batch 256 = 8 GPUs x 32:  bash tools/dist_train.sh CONFIG 8. Another GPU count: add
# --auto-scale-lr (lr x total / 256, from auto_scale_lr.base_batch_size = 256).
_base_ = [
    '../_base_/distill_runtime.py',
    '../_base_/teachers/in1k.py',
    './_base_/pefd_cls.py',
    'mmpretrain::resnet/resnet18_8xb32_in1k.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_resnet34_in1k,
    distill_points=dict(
        pefd=dict(
            student='neck[-1]',
            teacher='neck[-1]',
            connector=dict(**_base_.pefd_projectors, student_channels=512, teacher_channels=512),
            loss=_base_.pefd_loss)))
