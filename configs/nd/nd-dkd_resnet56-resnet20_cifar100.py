# DKD++ = DKD + ND loss (Wang et al., arXiv 2305.17007), CIFAR-100, ResNet-56 -> ResNet-20.
# Paper: 72.16 top-1.
# The authors' values for this pair (the shared recipe: _base_/nd-kd_cifar100.py):
#   loss       CE + w(epoch) * DKD(alpha 2.5, beta 4.0, tau 4) + 3.5 * ND
#   ND         the pooled 64-d student feature (no projector: the widths match) against the
#              teacher's class means
#   batch      Total batch 128 = 2 GPUs x 64:  bash tools/dist_train.sh CONFIG 2
# Everything else (teacher, class means, ND point) as nd-kd_resnet56-resnet20_cifar100.py.
_base_ = ['./nd-kd_resnet56-resnet20_cifar100.py']

model = dict(
    distill_points=dict(
        kd=dict(loss=dict(_delete_=True, type='DKDLoss', alpha=2.5, beta=4.0, tau=4.0)),
        nd=dict(loss=dict(loss_weight=3.5))))
