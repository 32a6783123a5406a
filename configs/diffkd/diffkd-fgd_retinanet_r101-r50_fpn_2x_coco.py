# DiffKD† (Huang et al., NeurIPS 2023) on COCO: DiffKD with the FGD-style attention-weighted,
# foreground/background balanced MSE on every FPN level (./_base_/diffkd-fgd_fpn_coco.py).
# RetinaNet R101 -> R50 -> paper: 39.8 AP.
# Everything else (points, weights, box-regression KD, schedule) as in
# diffkd_retinanet_r101-r50_fpn_2x_coco.py.
# Total batch 16 = 8 GPUs x 2:  bash tools/dist_train.sh CONFIG 8. Another GPU count: add
# --auto-scale-lr (lr x total / 16, from auto_scale_lr.base_batch_size = 16).
_base_ = [
    '../_base_/teachers/coco.py',
    './_base_/diffkd-fgd_fpn_coco.py',
    'mmdet::retinanet/retinanet_r50_fpn_2x_coco.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_retinanet_r101_coco,
    distill_points=dict(**_base_.diffkd_fgd_fpn_points, **_base_.retina_reg_kd_points))
