# DiffKD on the toy classification split, the paper's ImageNet recipe
# (configs/diffkd/_base_/diffkd_in1k.py) at toy scale (lambda = 1):
#   feature  last backbone stage before pooling (student 64 channels, teacher 256, 2x2), DiffKD
#            with the linear autoencoder (latent 128, half the teacher's width) and MSE;
#   logits   head.fc (4 classes), DiffKD for vectors (no autoencoder), KL with tau 1.
# The vector DiffKD normalises over the batch: the toy batch of 8 is enough.
# Train the teacher first:  python tools/train.py configs/toy/resnet18-w32_toy-cls.py
_base_ = [
    './_base_/distill_resnet18w32-r18w8_toy-cls.py',
    '../diffkd/_base_/diffkd_in1k.py',
]

model = _base_.pop('distiller')
model.merge(dict(
    distill_points=dict(
        feature=dict(
            connector=dict(student_channels=64, teacher_channels=256, latent_channels=128)),
        logits=dict(connector=dict(student_channels=4, teacher_channels=4)))))
