# Feature distillation baseline on the toy detection set: MSE between the teacher's and the
# student's FPN levels (./_base_/mse_fpn_toy-det.py).
# Train the teacher first:  python tools/train.py configs/toy/faster-rcnn_r18-w32_fpn_toy-det.py
_base_ = [
    './_base_/distill_faster-rcnn_r18w32-r18w8_fpn_toy-det.py',
    './_base_/mse_fpn_toy-det.py',
]

model = _base_.pop('distiller')
