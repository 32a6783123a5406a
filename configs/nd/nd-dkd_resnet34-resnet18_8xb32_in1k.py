# DKD++ = DKD + ND loss (Wang et al., arXiv 2305.17007), ImageNet-1k, ResNet-34 -> ResNet-18.
# Paper: 72.07 top-1.
# Loss = CE + w(epoch) * DKD(alpha 0.8, beta 0.5, tau 1) + 1.0 * ND, w = min(1, epoch / 5).
# Everything else as nd-kd_resnet34-resnet18_8xb32_in1k.py, whose class-means file (same teacher,
# same layer) is shared.
_base_ = ['./nd-kd_resnet34-resnet18_8xb32_in1k.py']

model = dict(
    distill_points=dict(
        kd=dict(loss=dict(_delete_=True, type='DKDLoss', alpha=0.8, beta=0.5, tau=1.0))))
