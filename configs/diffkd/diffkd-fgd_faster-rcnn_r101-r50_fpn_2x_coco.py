# DiffKD† (Huang et al., NeurIPS 2023) on COCO: DiffKD with the FGD-style attention-weighted,
# foreground/background balanced MSE on every FPN level (./_base_/diffkd-fgd_fpn_coco.py).
# Teacher: Faster R-CNN R101-FPN 2x (39.8 AP). Student: Faster R-CNN R50-FPN 2x (38.4 AP)
#   -> paper: 40.7 AP.
# Everything else (points, weights, box-regression KD, schedule) as in
# diffkd_faster-rcnn_r101-r50_fpn_2x_coco.py.
# Total batch 16 = 8 GPUs x 2:  bash tools/dist_train.sh CONFIG 8. Another GPU count: add
# --auto-scale-lr (lr x total / 16, from auto_scale_lr.base_batch_size = 16).
_base_ = [
    '../_base_/teachers/coco.py',
    './_base_/diffkd-fgd_fpn_coco.py',
    'mmdet::faster_rcnn/faster-rcnn_r50_fpn_2x_coco.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_faster_rcnn_r101_coco,
    distill_points=dict(**_base_.diffkd_fgd_fpn_points, **_base_.rpn_reg_kd_points))
