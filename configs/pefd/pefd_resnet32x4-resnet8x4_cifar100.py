# PEFD (Chen et al., NeurIPS 2022), CIFAR-100, ResNet-32x4 -> ResNet-8x4 (the authors' script;
# their CIFAR-100 table is not available to us, see docs/pefd.md).
# Recipe: CRD CIFAR-100 (240 epochs, batch 64, SGD lr 0.05 x0.1 at 150/180/210, wd 5e-4);
# loss = 1 * CE + 25 * cosine distance between mean_i ReLU(P_i s) (q = 3, Linear(256, 256)) and the
# pooled teacher feature (the shared setting: _base_/pefd_cls.py).
# Train the teacher first:  python tools/train.py configs/cifar100/resnet32x4_cifar100.py
# (or pass model.teacher.checkpoint=PATH).
# Total batch 64 = 1 GPU x 64:  python tools/train.py CONFIG. Another total batch: add
# --auto-scale-lr (lr x total / 64, from auto_scale_lr.base_batch_size = 64).
_base_ = [
    '../_base_/distill_hooks.py',
    '../_base_/teachers/cifar100.py',
    './_base_/pefd_cls.py',
    '../cifar100/resnet8x4_cifar100.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_resnet32x4_cifar100,
    distill_points=dict(
        pefd=dict(
            student='neck[-1]',
            teacher='neck[-1]',
            connector=dict(**_base_.pefd_projectors, student_channels=256, teacher_channels=256),
            loss=_base_.pefd_loss)))
