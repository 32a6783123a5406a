# Toy student: the teacher (fcn_r18-w32_toy-seg.py) with a ResNet-18-V1c at 1/8 width.
# Same data pipeline, data_preprocessor and head (fed with 64 instead of 256 channels).
_base_ = ['./fcn_r18-w32_toy-seg.py']
model = dict(
    backbone=dict(stem_channels=8, base_channels=8),  # stage widths 8/16/32/64
    decode_head=dict(in_channels=64))
