# DKD++ = DKD + ND loss (Wang et al., arXiv 2305.17007), CIFAR-100, ResNet-32x4 -> ResNet-8x4.
# Paper: 76.28 top-1.
# The authors' values for this pair (the shared recipe: _base_/nd-kd_cifar100.py):
#   loss       CE + w(epoch) * DKD(alpha 2.0, beta 8.0, tau 4) + 0.5 * ND
#   ND         the pooled 256-d student feature (no projector: the widths match) against the
#              teacher's class means
#   batch      Total batch 128 = 2 GPUs x 64:  bash tools/dist_train.sh CONFIG 2
# Everything else (teacher, class means, ND point) as nd-kd_resnet32x4-resnet8x4_cifar100.py.
_base_ = ['./nd-kd_resnet32x4-resnet8x4_cifar100.py']

model = dict(
    distill_points=dict(
        kd=dict(loss=dict(_delete_=True, type='DKDLoss', alpha=2.0, beta=8.0, tau=4.0)),
        nd=dict(loss=dict(loss_weight=0.5))))
