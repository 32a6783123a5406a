# DiffKD† for RetinaNet on the toy detection set: as diffkd_retinanet_r18w32-r18w8_fpn_toy-det.py
# with the FGD-style attention-weighted fg/bg MSE (alpha 1, beta 0.5, temperature 0.5) per level
# (./_base_/diffkd-fgd_fpn_toy-det.py).
_base_ = [
    './_base_/teachers.py',
    './_base_/diffkd-fgd_fpn_toy-det.py',
    './retinanet_r18-w8_fpn_toy-det.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_retinanet_r18w32_toy,
    distill_points=dict(**_base_.diffkd_fgd_fpn_points, **_base_.retina_reg_kd_points))
