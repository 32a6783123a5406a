# KD++ = KD + ND loss (Wang et al., arXiv 2305.17007), ImageNet-1k, ResNet-101 -> ResNet-18.
# Paper: 72.54 top-1 (no published DKD++ number for this pair).
# The authors' values for this pair (the shared recipe: _base_/nd-kd_in1k.py, with the
# ResNet-18 student: _base_/nd-kd_resnet18_8xb64_in1k.py):
#   loss       CE + w(epoch) * 3.5 * KD(tau 1) + 4.0 * ND
#   ND         the pooled 512-d student feature through the ND projector (Linear(512, 2048))
#              against the teacher's 2048-d class means
#   batch      Total batch 512 = 8 GPUs x 64:  bash tools/dist_train.sh CONFIG 8
#   teacher    mmpretrain's ResNet-101, 77.97 top-1 (the authors: torchvision's, 77.37)
_base_ = ['./_base_/nd-kd_resnet18_8xb64_in1k.py']

model = dict(
    teacher=dict(
        config='mmpretrain::resnet/resnet101_8xb32_in1k.py',
        checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/'
        'resnet101_8xb32_in1k_20210831-539c63f8.pth'),
    distill_points=dict(
        kd=dict(loss=dict(loss_weight=3.5)),
        nd=dict(
            connector=dict(teacher_channels=2048),
            loss=dict(
                class_means='work_dirs/class_means/resnet101_8xb32_in1k_neck.pth',
                embed_dim=2048,
                loss_weight=4.0))))
