# DiffKD (Huang et al., NeurIPS 2023) on COCO, 2x schedule.
# Teacher: RetinaNet R101-FPN 2x (38.9 box AP), mmdet model zoo.
# Student: RetinaNet R50-FPN 2x (stock baseline 37.4 AP) -> paper: 39.7 AP.
#
# Points: DiffKD on the FPN levels P3-P7, weight 5 (./_base_/diffkd_fpn_coco.py); box-regression
# KD: MSE between the student's and the teacher's bbox_head.retina_reg outputs per level, weight 1.
# Everything else (data, 2x schedule, SGD lr 0.01, weight decay 1e-4, ImageNet-pretrained R50) is
# the stock student config.
# Total batch 16 = 8 GPUs x 2:  bash tools/dist_train.sh CONFIG 8. Another GPU count: add
# --auto-scale-lr (lr x total / 16, from auto_scale_lr.base_batch_size = 16).
_base_ = [
    '../_base_/teachers/coco.py',
    './_base_/diffkd_fpn_coco.py',
    'mmdet::retinanet/retinanet_r50_fpn_2x_coco.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_retinanet_r101_coco,
    distill_points=dict(**_base_.diffkd_fpn_points, **_base_.retina_reg_kd_points))
