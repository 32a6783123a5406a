# Feature distillation baseline for RetinaNet on the toy detection set: MSE on every FPN level.
# Train the teacher first:  python tools/train.py configs/toy/retinanet_r18-w32_fpn_toy-det.py
_base_ = ['./_base_/distill_retinanet_r18w32-r18w8_fpn_toy-det.py']

model = dict(
    distill_points={
        f'fpn{i}': dict(
            student=f'neck[{i}]',
            teacher=f'neck[{i}]',
            loss=dict(type='FeatureMSELoss', loss_weight=1.0))
        for i in range(4)
    })
