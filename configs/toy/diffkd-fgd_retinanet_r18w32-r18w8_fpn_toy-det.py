# DiffKD† for RetinaNet on the toy detection set: as diffkd_retinanet_r18w32-r18w8_fpn_toy-det.py
# with the FGD-style attention-weighted fg/bg MSE (alpha 1, beta 0.5, temperature 0.5) per level
# (./_base_/diffkd-fgd_fpn_toy-det.py).
_base_ = [
    './diffkd_retinanet_r18w32-r18w8_fpn_toy-det.py',
    './_base_/diffkd-fgd_fpn_toy-det.py',
]

model = _base_.pop('distiller')
