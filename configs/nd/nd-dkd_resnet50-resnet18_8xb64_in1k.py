# DKD++ = DKD + ND loss (Wang et al., arXiv 2305.17007), ImageNet-1k, ResNet-50 -> ResNet-18.
# Paper: none published for DKD++ with this teacher (KD++: 72.53 top-1); the weights
# are those of the authors' training script.
# The authors' released recipe (their ImageNet DKD++ training script):
#   loss       CE + w(epoch) * DKD(alpha 0.6, beta 0.5, tau 1) + w(epoch) * 2.0 * ND,
#              w = min(1, epoch / 5) (epochs from 0; both terms warmed up)
#   ND         the pooled 512-d student feature through the ND projector BN1d ->
#              Dropout(0.5) -> Linear(512, 2048) (feeds only the ND loss; weight and bias
#              drawn from N(0, 0.01^2) as in the authors' ImageNet code) against the
#              teacher's 2048-d class means
#   optimizer  SGD, momentum 0.9, Nesterov, lr 0.2, weight decay 1e-4
#   schedule   100 epochs, lr x0.1 at epochs 30/60/90
#   batch      Total batch 512 = 8 GPUs x 64:  bash tools/dist_train.sh CONFIG 8
#              Another GPU count: add --auto-scale-lr (lr x total / 512, from
#              auto_scale_lr.base_batch_size = 512), or keep the total of 512 with
#              --cfg-options train_dataloader.batch_size=512/GPUs.
# Starting point (docs/nd.md, "Teachers and initialisation"):
#   teacher    mmpretrain's ResNet-50, 76.55 top-1 (the authors: torchvision's, 76.16)
#   student    mmpretrain's ResNet-18 init: every residual block ends in a zero-initialised
#              BN (torchvision's init, the authors', has no zero-init)
# Everything else (teacher, class means, ND point) as nd-kd_resnet50-resnet18_8xb64_in1k.py.
_base_ = ['./nd-kd_resnet50-resnet18_8xb64_in1k.py']

model = dict(
    distill_points=dict(
        kd=dict(loss=dict(_delete_=True, type='DKDLoss', alpha=0.6, beta=0.5, tau=1.0)),
        nd=dict(loss=dict(loss_weight=2.0))))
# The authors' ImageNet DKD++ script warms up the ND term too (their KD++ scripts do not).
custom_hooks = [
    dict(type='ClassMeansHook'),
    dict(type='DistillLossWarmupHook', points=['kd', 'nd'], warmup_epochs=5),
    dict(type='StudentCheckpointHook'),
]
