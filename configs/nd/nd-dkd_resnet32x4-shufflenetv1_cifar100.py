# DKD++ = DKD + ND loss (Wang et al., arXiv 2305.17007), CIFAR-100, ResNet-32x4 -> ShuffleNetV1.
# Paper: 77.11 top-1.
# The authors' values for this pair (the shared recipe: _base_/nd-kd_cifar100.py):
#   loss       CE + w(epoch) * DKD(alpha 0.5, beta 8.0, tau 4) + 4.0 * ND
#   ND         the pooled 960-d student feature through the ND projector (Linear(960, 256))
#              against the teacher's 256-d class means
#   optimizer  lr 0.02 (0.1 for the other students)
#   batch      Total batch 128 = 2 GPUs x 64:  bash tools/dist_train.sh CONFIG 2
# Everything else (teacher, class means, ND point) as nd-kd_resnet32x4-shufflenetv1_cifar100.py.
_base_ = ['./nd-kd_resnet32x4-shufflenetv1_cifar100.py']

model = dict(
    distill_points=dict(
        kd=dict(loss=dict(_delete_=True, type='DKDLoss', alpha=0.5, beta=8.0, tau=4.0)),
        nd=dict(loss=dict(loss_weight=4.0))))
