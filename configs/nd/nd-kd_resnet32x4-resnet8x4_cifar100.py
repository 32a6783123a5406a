# KD++ = KD + ND loss (Wang et al., arXiv 2305.17007), CIFAR-100, ResNet-32x4 -> ResNet-8x4.
# Paper: 75.54 top-1 (DKD++ 76.28: nd-dkd_resnet32x4-resnet8x4_cifar100.py).
# The authors' values for this pair (the shared recipe: _base_/nd-kd_cifar100.py):
#   loss       CE + w(epoch) * 3.5 * KD(tau 4) + 2.0 * ND
#   ND         the pooled 256-d student feature (no projector: the widths match) against the
#              teacher's class means
#   batch      Total batch 128 = 2 GPUs x 64:  bash tools/dist_train.sh CONFIG 2
# Train the teacher first:  python tools/train.py configs/cifar100/resnet32x4_cifar100.py
_base_ = [
    '../_base_/teachers/cifar100.py',
    './_base_/nd-kd_cifar100.py',
    '../cifar100/resnet8x4_cifar100.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_resnet32x4_cifar100,
    distill_points=dict(
        kd=dict(student='head.fc', teacher='head.fc', loss=dict(**_base_.kd_loss, loss_weight=3.5)),
        nd=dict(
            student='neck[-1]',
            teacher='neck[-1]',
            loss=dict(
                **_base_.nd_loss,
                class_means='work_dirs/class_means/resnet32x4_cifar100_neck.pth',
                embed_dim=256,
                loss_weight=2.0))))
optim_wrapper = dict(optimizer=dict(lr=0.1, nesterov=True))
auto_scale_lr = dict(base_batch_size=128)
