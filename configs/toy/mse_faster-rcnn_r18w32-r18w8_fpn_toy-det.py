# Feature distillation baseline on the toy detection set: MSE between the teacher's and the
# student's FPN levels (./_base_/mse_fpn_toy-det.py).
# Train the teacher first:  python tools/train.py configs/toy/faster-rcnn_r18-w32_fpn_toy-det.py
_base_ = [
    './_base_/teachers.py',
    './_base_/mse_fpn_toy-det.py',
    './faster-rcnn_r18-w8_fpn_toy-det.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_faster_rcnn_r18w32_toy,
    distill_points=_base_.mse_fpn_points)
