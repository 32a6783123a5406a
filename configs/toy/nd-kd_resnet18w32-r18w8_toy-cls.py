# KD++ (KD + ND loss) on the toy classification split with the authors' CIFAR-100 values of their
# same-family width-reduction pair ResNet32x4 -> ResNet8x4 (KD tau 4, weight 3.5; ND weight 2.0).
# KD is warmed up linearly over the first 25 iterations, 1/12 of the schedule as the authors' 20 of
# 240 epochs (the toy schedule is iteration-based). The ND loss pulls the student's pooled feature,
# through the ND projector BN1d -> Dropout -> Linear(64, 256), toward the teacher's class means,
# which ClassMeansHook computes on the toy training split before training (and recomputes when the
# teacher changes, as it does between demo runs).
# Train the teacher first:  python tools/train.py configs/toy/resnet18-w32_toy-cls.py
_base_ = ['../_base_/distill_runtime.py', './_base_/teachers.py', './resnet18-w8_toy-cls.py']

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_resnet18w32_toy,
    distill_points=dict(
        kd=dict(
            student='head.fc',
            teacher='head.fc',
            loss=dict(type='KDLoss', tau=4.0, loss_weight=3.5)),
        nd=dict(
            student='neck[-1]',  # (B, 64)
            teacher='neck[-1]',  # (B, 256)
            connector=dict(type='NDProjector', student_channels=64, teacher_channels=256),
            loss=dict(
                type='NDLoss',
                class_means='work_dirs/class_means/toy_resnet18-w32_neck.pth',
                num_classes=4,
                embed_dim=256,
                lazy_load=True,
                loss_weight=2.0))))
custom_hooks = [
    dict(type='ClassMeansHook', on_mismatch='recompute'),
    dict(type='DistillLossWarmupHook', points='kd', by_epoch=False, warmup_iters=25),
    dict(type='StudentCheckpointHook'),
]
