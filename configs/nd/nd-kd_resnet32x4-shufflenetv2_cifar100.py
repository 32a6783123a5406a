# KD++ = KD + ND loss (Wang et al., arXiv 2305.17007), CIFAR-100, ResNet-32x4 -> ShuffleNetV2.
# Paper: 76.42 top-1 (DKD++ 77.49: nd-dkd_resnet32x4-shufflenetv2_cifar100.py).
# The authors' values for this pair (the shared recipe: _base_/nd-kd_cifar100.py):
#   loss       CE + w(epoch) * 4.0 * KD(tau 4) + 0.5 * ND
#   ND         the pooled 1024-d student feature through the ND projector (Linear(1024, 256))
#              against the teacher's 256-d class means
#   batch      Total batch 128 = 2 GPUs x 64:  bash tools/dist_train.sh CONFIG 2
# Train the teacher first:  python tools/train.py configs/cifar100/resnet32x4_cifar100.py
_base_ = [
    '../_base_/teachers/cifar100.py',
    './_base_/nd-kd_cifar100.py',
    '../cifar100/shufflenetv2_cifar100.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_resnet32x4_cifar100,
    distill_points=dict(
        kd=dict(student='head.fc', teacher='head.fc', loss=dict(**_base_.kd_loss, loss_weight=4.0)),
        nd=dict(
            student='neck[-1]',
            teacher='neck[-1]',
            connector=dict(**_base_.nd_projector, student_channels=1024, teacher_channels=256),
            loss=dict(
                **_base_.nd_loss,
                class_means='work_dirs/class_means/resnet32x4_cifar100_neck.pth',
                embed_dim=256,
                loss_weight=0.5))))
optim_wrapper = dict(optimizer=dict(lr=0.1, nesterov=True))
auto_scale_lr = dict(base_batch_size=128)
