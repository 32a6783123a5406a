# Feature distillation baseline for RetinaNet on the toy detection set: MSE on every FPN level
# (./_base_/mse_fpn_toy-det.py).
# Train the teacher first:  python tools/train.py configs/toy/retinanet_r18-w32_fpn_toy-det.py
_base_ = [
    './_base_/teachers.py',
    './_base_/mse_fpn_toy-det.py',
    './retinanet_r18-w8_fpn_toy-det.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_retinanet_r18w32_toy,
    distill_points=_base_.mse_fpn_points)
