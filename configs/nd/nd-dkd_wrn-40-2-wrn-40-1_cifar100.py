# DKD++ = DKD + ND loss (Wang et al., arXiv 2305.17007), CIFAR-100, WRN-40-2 -> WRN-40-1.
# Paper: 75.02 top-1.
# The authors' values for this pair (the shared recipe: _base_/nd-kd_cifar100.py):
#   loss       CE + w(epoch) * DKD(alpha 1.0, beta 6.0, tau 4) + 1.0 * ND
#   ND         the pooled 64-d student feature through the ND projector (Linear(64, 128))
#              against the teacher's 128-d class means
#   batch      Total batch 128 = 2 GPUs x 64:  bash tools/dist_train.sh CONFIG 2
# Everything else (teacher, class means, ND point) as nd-kd_wrn-40-2-wrn-40-1_cifar100.py.
_base_ = ['./nd-kd_wrn-40-2-wrn-40-1_cifar100.py']

model = dict(
    distill_points=dict(
        kd=dict(loss=dict(_delete_=True, type='DKDLoss', alpha=1.0, beta=6.0, tau=4.0)),
        nd=dict(loss=dict(loss_weight=1.0))))
