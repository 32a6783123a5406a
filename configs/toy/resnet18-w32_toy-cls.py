# Toy teacher: the student (resnet18-w8_toy-cls.py) with a ResNet-18 at half width
# (base_channels=32) and a 3x longer schedule. Same data pipeline, data_preprocessor and head (fed
# with 256 instead of 64 channels).
_base_ = ['./resnet18-w8_toy-cls.py']
model = dict(
    backbone=dict(stem_channels=32, base_channels=32),  # stage widths 32/64/128/256
    head=dict(in_channels=256))
# Teacher schedule: 900 iterations (the students train 400), so that the teacher is close to convergence
# before it is distilled from, as real teachers are.
train_cfg = dict(max_iters=900, val_interval=900)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=30, end=900, eta_min_ratio=0.01),
]
