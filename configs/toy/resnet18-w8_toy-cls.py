# Toy student: the teacher (resnet18-w32_toy-cls.py) with a ResNet-18 at 1/8 width.
# Same data pipeline, data_preprocessor and head (fed with 64 instead of 256 channels).
_base_ = ['./resnet18-w32_toy-cls.py']
model = dict(
    backbone=dict(stem_channels=8, base_channels=8),  # stage widths 8/16/32/64
    head=dict(in_channels=64))
