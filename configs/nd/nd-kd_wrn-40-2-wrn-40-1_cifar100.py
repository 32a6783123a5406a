# KD++ = KD + ND loss (Wang et al., arXiv 2305.17007), CIFAR-100, WRN-40-2 -> WRN-40-1.
# Paper: 74.59 top-1 (DKD++ 75.02: nd-dkd_wrn-40-2-wrn-40-1_cifar100.py).
# The authors' values for this pair (the shared recipe: _base_/nd-kd_cifar100.py):
#   loss       CE + w(epoch) * 1.0 * KD(tau 4) + 1.5 * ND
#   ND         the pooled 64-d student feature through the ND projector (Linear(64, 128))
#              against the teacher's 128-d class means
#   batch      Total batch 128 = 2 GPUs x 64:  bash tools/dist_train.sh CONFIG 2
# Train the teacher first:  python tools/train.py configs/cifar100/wrn-40-2_cifar100.py
_base_ = [
    '../_base_/teachers/cifar100.py',
    './_base_/nd-kd_cifar100.py',
    '../cifar100/wrn-40-1_cifar100.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_wrn_40_2_cifar100,
    distill_points=dict(
        kd=dict(student='head.fc', teacher='head.fc', loss=dict(**_base_.kd_loss, loss_weight=1.0)),
        nd=dict(
            student='neck[-1]',
            teacher='neck[-1]',
            connector=dict(**_base_.nd_projector, student_channels=64, teacher_channels=128),
            loss=dict(
                **_base_.nd_loss,
                class_means='work_dirs/class_means/wrn-40-2_cifar100_neck.pth',
                embed_dim=128,
                loss_weight=1.5))))
optim_wrapper = dict(optimizer=dict(lr=0.1, nesterov=True))
auto_scale_lr = dict(base_batch_size=128)
