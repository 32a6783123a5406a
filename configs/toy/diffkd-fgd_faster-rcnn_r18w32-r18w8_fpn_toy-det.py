# DiffKD† on the toy detection set: DiffKD with the attention-weighted, foreground/background
# balanced MSE (FGDFeatureLoss, the paper's detection variant; alpha 1, beta 0.5, temperature 0.5
# as in configs/diffkd/diffkd-fgd_*; ./_base_/diffkd-fgd_fpn_toy-det.py) between each denoised
# student FPN level and the teacher's.
# Everything else (denoisers, weight 5, box-regression KD) as diffkd_faster-rcnn_r18w32-r18w8_*.
_base_ = [
    './_base_/teachers.py',
    './_base_/diffkd-fgd_fpn_toy-det.py',
    './faster-rcnn_r18-w8_fpn_toy-det.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_faster_rcnn_r18w32_toy,
    distill_points=dict(**_base_.diffkd_fgd_fpn_points, **_base_.rpn_reg_kd_points))
