# DiffKD (Huang et al., NeurIPS 2023) on COCO, 2x schedule.
# Teacher: Cascade Mask R-CNN X101-64x4d-FPN 20e (45.6 box AP), mmdet model zoo. Only its
#   backbone, FPN and RPN run during distillation (the teacher stops once the recorded modules ran).
# Student: Faster R-CNN R50-FPN 2x (stock baseline 38.4 AP) -> paper: 42.2 AP.
#
# Same student, points (DiffKD on P2-P6, weight 5; RPN box-regression KD, weight 1) and recipe
# as diffkd_faster-rcnn_r101-r50_fpn_2x_coco.py: only the teacher differs.
# Total batch 16 = 8 GPUs x 2:  bash tools/dist_train.sh CONFIG 8. Another GPU count: add
# --auto-scale-lr (lr x total / 16, from auto_scale_lr.base_batch_size = 16).
_base_ = './diffkd_faster-rcnn_r101-r50_fpn_2x_coco.py'

model = dict(teacher=_base_.teacher_cascade_mask_rcnn_x101_coco)
