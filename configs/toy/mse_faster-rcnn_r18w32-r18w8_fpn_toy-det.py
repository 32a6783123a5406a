# Feature distillation baseline on the toy detection set: MSE between the teacher's and the
# student's FPN levels (same width, 32 channels, so no projector is needed).
# Train the teacher first:  python tools/train.py configs/toy/faster-rcnn_r18-w32_fpn_toy-det.py
_base_ = ['./_base_/distill_faster-rcnn_r18w32-r18w8_fpn_toy-det.py']

model = dict(
    distill_points={
        f'fpn{i}': dict(
            student=f'neck[{i}]',
            teacher=f'neck[{i}]',
            loss=dict(type='FeatureMSELoss', loss_weight=1.0))
        for i in range(4)
    })
