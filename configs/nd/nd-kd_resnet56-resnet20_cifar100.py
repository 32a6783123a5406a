# KD++ = KD + ND loss (Wang et al., arXiv 2305.17007), CIFAR-100, ResNet-56 -> ResNet-20.
# Paper: 72.53 top-1 (DKD++ 72.16: nd-dkd_resnet56-resnet20_cifar100.py).
# The authors' values for this pair (the shared recipe: _base_/nd-kd_cifar100.py):
#   loss       CE + w(epoch) * 1.0 * KD(tau 4) + 2.0 * ND
#   ND         the pooled 64-d student feature (no projector: the widths match) against the
#              teacher's class means
#   batch      Total batch 128 = 2 GPUs x 64:  bash tools/dist_train.sh CONFIG 2
# Train the teacher first:  python tools/train.py configs/cifar100/resnet56_cifar100.py
_base_ = [
    '../_base_/teachers/cifar100.py',
    './_base_/nd-kd_cifar100.py',
    '../cifar100/resnet20_cifar100.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_resnet56_cifar100,
    distill_points=dict(
        kd=dict(student='head.fc', teacher='head.fc', loss=dict(**_base_.kd_loss, loss_weight=1.0)),
        nd=dict(
            student='neck[-1]',
            teacher='neck[-1]',
            loss=dict(
                **_base_.nd_loss,
                class_means='work_dirs/class_means/resnet56_cifar100_neck.pth',
                embed_dim=64,
                loss_weight=2.0))))
optim_wrapper = dict(optimizer=dict(lr=0.1, nesterov=True))
auto_scale_lr = dict(base_batch_size=128)
