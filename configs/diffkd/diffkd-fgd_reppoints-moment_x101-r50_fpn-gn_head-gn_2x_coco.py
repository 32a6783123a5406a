# DiffKD† (Huang et al., NeurIPS 2023) on COCO: DiffKD with the FGD-style attention-weighted,
# foreground/background balanced MSE on every FPN level (./_base_/diffkd-fgd_fpn_coco.py).
# RepPoints X101-32x4d-DCN -> RepPoints R50 -> paper: 41.9 AP.
# Everything else (points, weights, box-regression KD, schedule) as in
# diffkd_reppoints-moment_x101-r50_fpn-gn_head-gn_2x_coco.py.
# Total batch 16 = 8 GPUs x 2:  bash tools/dist_train.sh CONFIG 8. Another GPU count: add
# --auto-scale-lr (lr x total / 16, from auto_scale_lr.base_batch_size = 16).
_base_ = [
    '../_base_/teachers/coco.py',
    './_base_/diffkd-fgd_fpn_coco.py',
    'mmdet::reppoints/reppoints-moment_r50_fpn-gn_head-gn_2x_coco.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_reppoints_x101_coco,
    distill_points=dict(
        fpn0=dict(_base_.diffkd_fgd_fpn_points.fpn0, weight=15.0),
        fpn1=dict(_base_.diffkd_fgd_fpn_points.fpn1, weight=15.0),
        fpn2=dict(_base_.diffkd_fgd_fpn_points.fpn2, weight=15.0),
        fpn3=dict(_base_.diffkd_fgd_fpn_points.fpn3, weight=15.0),
        fpn4=dict(_base_.diffkd_fgd_fpn_points.fpn4, weight=15.0),
        **_base_.reppoints_pts_kd_points))
