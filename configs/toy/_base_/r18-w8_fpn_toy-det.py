# The part the two toy detection students (faster-rcnn_r18-w8_fpn_toy-det.py,
# retinanet_r18-w8_fpn_toy-det.py) share: data, schedule, runtime, the data preprocessor and a
# ResNet-18 at 1/8 width (base_channels=8) with a 32-channel FPN, trained from scratch on the 64x64
# toy shapes for 300 iterations. Each student adds its detector type and heads.
_base_ = ['./toy_det.py', './schedule_toy.py', './default_runtime_det.py']
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32),
    backbone=dict(
        type='ResNet',
        depth=18,
        base_channels=8,  # stage widths 8/16/32/64
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        frozen_stages=-1,
        norm_cfg=norm_cfg,
        norm_eval=False,  # from scratch: BN statistics must be learnt
        style='pytorch',
        init_cfg=None),  # no pretrained weights (nothing is downloaded)
    neck=dict(
        type='FPN',
        in_channels=[8, 16, 32, 64],
        out_channels=32,  # equal for teacher and student: features match without a projector
        num_outs=4))  # strides 4..32; a stride-64 level would be 1x1 on 64 px images
