# KD++ = KD + ND loss (Wang et al., arXiv 2305.17007), CIFAR-100, ResNet-32x4 -> ShuffleNetV2.
# Paper: 76.42 top-1 (DKD++ 77.49).
# Loss = CE + w(epoch) * 4.0 * KD(tau 4) + 0.5 * ND, w = min(1, epoch / 20) (epochs from 0).
# ND: pooled 1024-d student feature through the ND projector BN1d -> Dropout(0.5) ->
# Linear(1024, 256) (feeds only the ND loss) against the teacher's 256-d class means.
# Recipe: CRD CIFAR-100, 240 epochs, batch 64, SGD lr 0.01 (this student family's lr),
# x0.1 at 150/180/210, wd 5e-4.
# The teacher has no public checkpoint: train it first with
#   python tools/train.py configs/cifar100/resnet32x4_cifar100.py
# which writes the checkpoint named below (or pass model.teacher.checkpoint=PATH). Class means:
# ClassMeansHook before training (when the file is missing) or tools/compute_class_means.py.
_base_ = ['../cifar100/shufflenetv2_cifar100.py']

model = dict(
    _delete_=True,
    type='FeatureDistiller',
    student={{_base_.model}},
    teacher=dict(
        config='{{fileDirname}}/../cifar100/resnet32x4_cifar100.py',
        checkpoint='work_dirs/resnet32x4_cifar100/epoch_240.pth'),
    distill_points=dict(
        kd=dict(
            student='head.fc',
            teacher='head.fc',
            loss=dict(type='KDLoss', tau=4.0, loss_weight=4.0)),
        nd=dict(
            student='neck[-1]',  # (B, 1024)
            teacher='neck[-1]',  # (B, 256)
            connector=dict(type='NDProjector', student_channels=1024, teacher_channels=256),
            loss=dict(
                type='NDLoss',
                class_means='work_dirs/class_means/resnet32x4_cifar100_neck.pth',
                num_classes=100,
                embed_dim=256,
                lazy_load=True,  # the hook (re)writes the file after the model is built
                loss_weight=0.5))))
custom_hooks = [
    dict(type='ClassMeansHook'),
    dict(type='DistillLossWarmupHook', points='kd', warmup_epochs=20),
    dict(type='StudentCheckpointHook'),
]
