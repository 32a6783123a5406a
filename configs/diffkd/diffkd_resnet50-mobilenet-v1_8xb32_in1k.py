# DiffKD (Huang et al., NeurIPS 2023) on ImageNet-1k, recipe "B1".
# Teacher: ResNet-50 (mmpretrain zoo: 76.55 top-1; the paper's teacher: 76.16).
# Student: MobileNetV1 from scratch (paper baseline 70.13; not in the OpenMMLab zoo: the student
#   config configs/_base_/mobilenet-v1_8xb32_in1k.py trains the baseline)
#   -> paper: 73.62 top-1 / 91.34 top-5.
#
# Points (lambda = 1 for every loss):
#   feature  the final maps before global pooling (student 1024 channels, teacher 2048, 7x7),
#            DiffKD with the linear autoencoder (latent 1024) and MSE.
#   logits   head.fc logits (1000 classes), DiffKD for vectors without autoencoder, KL with tau 1.
# Recipe: "B1" as the authors' released classification trainer runs it:
#   optimizer  SGD, momentum 0.9, Nesterov, lr 0.1, weight decay 1e-4 on the weights only: no
#              decay on biases and 1-D parameters (BatchNorm), of the student and the DiffKD
#              modules alike; the time-embedding tables (2-D) keep it
#   schedule   100 epochs, lr x0.1 every 30 epochs (the student config's schedule)
#   batch      Total batch 256 = 8 GPUs x 32:  bash tools/dist_train.sh CONFIG 8
#              Another GPU count: add --auto-scale-lr (lr x total / 256, from
#              auto_scale_lr.base_batch_size = 256). The vector DiffKD normalises over the batch:
#              keep at least 2 images per GPU.
_base_ = ['../_base_/mobilenet-v1_8xb32_in1k.py', '../_base_/distill_hooks.py']

model = dict(
    _delete_=True,
    type='FeatureDistiller',
    student={{_base_.model}},
    teacher=dict(
        config='mmpretrain::resnet/resnet50_8xb32_in1k.py',
        checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/'
        'resnet50_8xb32_in1k_20210831-ea4938fc.pth'),
    distill_points=dict(
        feature=dict(
            student='backbone[-1]',
            teacher='backbone[-1]',
            connector=dict(
                type='DiffKDDenoiser', student_channels=1024, teacher_channels=2048,
                latent_channels=1024, kind='map'),
            loss=dict(type='FeatureMSELoss'),
            weight=1.0),
        logits=dict(
            student='head.fc',
            teacher='head.fc',
            connector=dict(
                type='DiffKDDenoiser', student_channels=1000, teacher_channels=1000,
                kind='vector'),
            loss=dict(type='KDLoss', tau=1.0),
            weight=1.0)))
# flat_decay_mult covers every 1-D parameter; norm/bias_decay_mult name the two kinds it consists
# of here (tests/test_recipes.py checks that exactly the 1-D parameters lose their decay).
optim_wrapper = dict(
    optimizer=dict(nesterov=True),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0, flat_decay_mult=0.0))
