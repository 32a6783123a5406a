# DiffKD with DIST on the logits (the paper's DiffKD†, Huang et al., NeurIPS 2023), ImageNet-1k.
# As diffkd_resnet50-mobilenet-v1_8xb32_in1k.py, but the denoised logits are compared with the
# teacher's by DIST (Huang et al. 2022; beta = gamma = tau = 1) instead of KL divergence.
# Paper: 73.78 top-1 (ResNet-50 -> MobileNetV1).
# Recipe: B1, from the parent config (./_base_/diffkd_in1k.py).
# Total batch 256 = 8 GPUs x 32 (another GPU count: --auto-scale-lr, from
# auto_scale_lr.base_batch_size = 256).
_base_ = './diffkd_resnet50-mobilenet-v1_8xb32_in1k.py'

model = dict(
    distill_points=dict(
        logits=dict(loss=dict(_delete_=True, type='DISTLoss', beta=1.0, gamma=1.0, tau=1.0))))
