# Toy student: the teacher (retinanet_r18-w32_fpn_toy-det.py) with a ResNet-18 at 1/8 width.
# Same data pipeline, data_preprocessor, FPN width (32) and head.
_base_ = ['./retinanet_r18-w32_fpn_toy-det.py']
model = dict(
    backbone=dict(base_channels=8),  # stage widths 8/16/32/64
    neck=dict(in_channels=[8, 16, 32, 64]))
