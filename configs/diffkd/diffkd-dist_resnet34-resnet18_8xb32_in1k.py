# DiffKD with DIST on the logits (the paper's DiffKD†, Huang et al., NeurIPS 2023), ImageNet-1k.
# As diffkd_resnet34-resnet18_8xb32_in1k.py, but the denoised logits are compared with the
# teacher's by DIST (Huang et al. 2022; beta = gamma = tau = 1) instead of KL divergence.
# Paper: 72.49 top-1 (ResNet-34 -> ResNet-18).
# Recipe: B1, from the parent config (./_base_/diffkd_in1k.py).
# Total batch 256 = 8 GPUs x 32 (another GPU count: --auto-scale-lr, from
# auto_scale_lr.base_batch_size = 256).
_base_ = './diffkd_resnet34-resnet18_8xb32_in1k.py'

model = dict(
    distill_points=dict(
        logits=dict(loss=dict(_delete_=True, type='DISTLoss', beta=1.0, gamma=1.0, tau=1.0))))
