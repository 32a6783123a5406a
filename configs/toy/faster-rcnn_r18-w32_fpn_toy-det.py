# Toy teacher: the student (faster-rcnn_r18-w8_fpn_toy-det.py) with a ResNet-18 at half width
# (base_channels=32) and a 3x longer schedule. Same data pipeline, data_preprocessor, FPN width (32)
# and heads, so teacher and student FPN features have identical shapes.
_base_ = ['./faster-rcnn_r18-w8_fpn_toy-det.py']
model = dict(
    backbone=dict(base_channels=32),  # stage widths 32/64/128/256
    neck=dict(in_channels=[32, 64, 128, 256]))
# Teacher schedule: 3x the students' 300 iterations, so that the teacher is close to convergence
# before it is distilled from, as real teachers are.
train_cfg = dict(max_iters=900, val_interval=900)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=30, end=900, eta_min_ratio=0.01),
]
