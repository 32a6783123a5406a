# Feature distillation baseline for RetinaNet on the toy detection set: MSE on every FPN level
# (./_base_/mse_fpn_toy-det.py).
# Train the teacher first:  python tools/train.py configs/toy/retinanet_r18-w32_fpn_toy-det.py
_base_ = [
    './_base_/distill_retinanet_r18w32-r18w8_fpn_toy-det.py',
    './_base_/mse_fpn_toy-det.py',
]

model = _base_.pop('distiller')
