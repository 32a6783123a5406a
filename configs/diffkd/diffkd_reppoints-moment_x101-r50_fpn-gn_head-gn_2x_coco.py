# DiffKD (Huang et al., NeurIPS 2023) on COCO, 2x schedule.
# Teacher: RepPoints (moment) X101-32x4d with DCN in stages c3-c5, GN FPN and head, 2x
#   (44.2 box AP), mmdet model zoo.
# Student: RepPoints (moment) R50, GN FPN and head, 2x (stock baseline 38.6 AP) -> paper: 41.7 AP.
#
# Points: DiffKD on the FPN levels P3-P7 (./_base_/diffkd_fpn_coco.py) with weight 15, the paper's
# RepPoints weight; box-regression KD, weight 1: MSE between the student's and the teacher's point
# regressions per level, both stages: the initial points (bbox_head.reppoints_pts_init_out) and the
# refinement offsets (bbox_head.reppoints_pts_refine_out; the refined points are init + offsets, so
# matching both matches the final points).
# Everything else is the stock student config (2x, SGD lr 0.01, weight decay 1e-4).
# Total batch 16 = 8 GPUs x 2:  bash tools/dist_train.sh CONFIG 8. Another GPU count: add
# --auto-scale-lr (lr x total / 16, from auto_scale_lr.base_batch_size = 16).
_base_ = [
    '../_base_/teachers/coco.py',
    './_base_/diffkd_fpn_coco.py',
    'mmdet::reppoints/reppoints-moment_r50_fpn-gn_head-gn_2x_coco.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_reppoints_x101_coco,
    distill_points=dict(
        fpn0=dict(_base_.diffkd_fpn_points.fpn0, weight=15.0),
        fpn1=dict(_base_.diffkd_fpn_points.fpn1, weight=15.0),
        fpn2=dict(_base_.diffkd_fpn_points.fpn2, weight=15.0),
        fpn3=dict(_base_.diffkd_fpn_points.fpn3, weight=15.0),
        fpn4=dict(_base_.diffkd_fpn_points.fpn4, weight=15.0),
        **_base_.reppoints_pts_kd_points))
