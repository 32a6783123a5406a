# DiffKD on the toy classification split, the paper's ImageNet recipe
# (configs/diffkd/_base_/diffkd_in1k.py) at toy scale (lambda = 1):
#   feature  last backbone stage before pooling (student 64 channels, teacher 256, 2x2), DiffKD
#            with the linear autoencoder (latent 128, half the teacher's width) and MSE;
#   logits   head.fc (4 classes), DiffKD for vectors (no autoencoder), KL with tau 1.
# The vector DiffKD normalises over the batch: the toy batch of 8 is enough.
# Train the teacher first:  python tools/train.py configs/toy/resnet18-w32_toy-cls.py
_base_ = [
    './_base_/teachers.py',
    '../diffkd/_base_/diffkd_in1k.py',
    '../_base_/distill_runtime.py',
    './resnet18-w8_toy-cls.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_resnet18w32_toy,
    distill_points=dict(
        feature=dict(
            _base_.diffkd_in1k_points.feature,
            connector=dict(
                _base_.diffkd_feature_denoiser,
                latent_channels=128, student_channels=64, teacher_channels=256)),
        logits=dict(
            _base_.diffkd_in1k_points.logits,
            connector=dict(
                _base_.diffkd_in1k_points.logits.connector,
                student_channels=4,
                teacher_channels=4))))
