# KD++ = KD + ND loss (Wang et al., arXiv 2305.17007), ImageNet-1k, ResNet-101 -> ResNet-18.
# Paper: 72.54 top-1 (no published DKD++ number for this pair).
# The authors' released recipe (their ImageNet training script):
#   loss       CE + w(epoch) * 3.5 * KD(tau 1) + 4.0 * ND, w = min(1, epoch / 5) (epochs from 0)
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
#   teacher    mmpretrain's ResNet-101, 77.97 top-1 (the authors: torchvision's, 77.37)
#   student    mmpretrain's ResNet-18 init: every residual block ends in a zero-initialised
#              BN (torchvision's init, the authors', has no zero-init)
# Shared setting: _base_/nd-kd_resnet18_8xb64_in1k.py. Class means: ClassMeansHook before training
# (when the file is missing) or beforehand
#   python tools/compute_class_means.py configs/nd/nd-kd_resnet101-resnet18_8xb64_in1k.py
_base_ = ['./_base_/nd-kd_resnet18_8xb64_in1k.py']

model = dict(
    teacher=dict(
        config='mmpretrain::resnet/resnet101_8xb32_in1k.py',
        checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/'
        'resnet101_8xb32_in1k_20210831-539c63f8.pth'),
    distill_points=dict(
        kd=dict(loss=dict(loss_weight=3.5)),
        nd=dict(
            connector=dict(
                type='NDProjector', student_channels=512, teacher_channels=2048,
                linear_init='normal'),
            loss=dict(
                class_means='work_dirs/class_means/resnet101_8xb32_in1k_neck.pth',
                embed_dim=2048,
                loss_weight=4.0))))
