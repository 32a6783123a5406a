# DiffKD on the toy classification split, the paper's ImageNet recipe at toy scale (lambda = 1):
#   feature  last backbone stage before pooling (student 64 channels, teacher 256, 2x2), DiffKD
#            with the linear autoencoder (latent 128, half the teacher's width) and MSE;
#   logits   head.fc (4 classes), DiffKD for vectors (no autoencoder), KL with tau 1.
# The vector DiffKD normalises over the batch: the toy batch of 8 is enough.
# Train the teacher first:  python tools/train.py configs/toy/resnet18-w32_toy-cls.py
_base_ = ['./_base_/distill_resnet18w32-r18w8_toy-cls.py']

model = dict(
    distill_points=dict(
        feature=dict(
            student='backbone[-1]',
            teacher='backbone[-1]',
            connector=dict(
                type='DiffKDDenoiser', student_channels=64, teacher_channels=256,
                latent_channels=128, kind='map'),
            loss=dict(type='FeatureMSELoss'),
            weight=1.0),
        logits=dict(
            student='head.fc',
            teacher='head.fc',
            connector=dict(
                type='DiffKDDenoiser', student_channels=4, teacher_channels=4, kind='vector'),
            loss=dict(type='KDLoss', tau=1.0),
            weight=1.0)))
