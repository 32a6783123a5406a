# DKD++ = DKD + ND loss (Wang et al., arXiv 2305.17007), CIFAR-100, ResNet-32x4 -> ShuffleNetV2.
# Paper: 77.49 top-1.
# The authors' values for this pair (the shared recipe: _base_/nd-kd_cifar100.py):
#   loss       CE + w(epoch) * DKD(alpha 0.5, beta 6.0, tau 4) + 0.5 * ND
#   ND         the pooled 1024-d student feature through the ND projector (Linear(1024, 256))
#              against the teacher's 256-d class means
#   batch      Total batch 128 = 2 GPUs x 64:  bash tools/dist_train.sh CONFIG 2
# Everything else (teacher, class means, ND point) as nd-kd_resnet32x4-shufflenetv2_cifar100.py.
_base_ = ['./nd-kd_resnet32x4-shufflenetv2_cifar100.py']

model = dict(
    distill_points=dict(
        kd=dict(loss=dict(_delete_=True, type='DKDLoss', alpha=0.5, beta=6.0, tau=4.0)),
        nd=dict(loss=dict(loss_weight=0.5))))
