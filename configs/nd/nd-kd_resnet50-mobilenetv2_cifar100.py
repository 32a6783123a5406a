# KD++ = KD + ND loss (Wang et al., arXiv 2305.17007), CIFAR-100, ResNet-50 -> MobileNetV2.
# Paper: 70.10 top-1 (DKD++ 70.82: nd-dkd_resnet50-mobilenetv2_cifar100.py).
# The authors' values for this pair (the shared recipe: _base_/nd-kd_cifar100.py):
#   loss       CE + w(epoch) * 3.0 * KD(tau 4) + 0.5 * ND
#   ND         the pooled 1280-d student feature through the ND projector (Linear(1280, 2048))
#              against the teacher's 2048-d class means
#   batch      Total batch 128 = 2 GPUs x 64:  bash tools/dist_train.sh CONFIG 2
# Train the teacher first:  python tools/train.py configs/cifar100/resnet50_cifar100.py
_base_ = [
    '../_base_/teachers/cifar100.py',
    './_base_/nd-kd_cifar100.py',
    '../cifar100/mobilenetv2_cifar100.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_resnet50_cifar100,
    distill_points=dict(
        kd=dict(student='head.fc', teacher='head.fc', loss=dict(**_base_.kd_loss, loss_weight=3.0)),
        nd=dict(
            student='neck[-1]',
            teacher='neck[-1]',
            connector=dict(**_base_.nd_projector, student_channels=1280, teacher_channels=2048),
            loss=dict(
                **_base_.nd_loss,
                class_means='work_dirs/class_means/resnet50_cifar100_neck.pth',
                embed_dim=2048,
                loss_weight=0.5))))
optim_wrapper = dict(optimizer=dict(lr=0.1, nesterov=True))
auto_scale_lr = dict(base_batch_size=128)
