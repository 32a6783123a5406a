# DiffKD (Huang et al., "Knowledge Diffusion for Distillation", NeurIPS 2023) on COCO, 2x schedule.
# Teacher: Faster R-CNN R101-FPN 2x (39.8 box AP), mmdet model zoo.
# Student: Faster R-CNN R50-FPN 2x (stock baseline 38.4 AP)
#   -> paper: 40.6 AP (AP50 60.9, AP75 43.9).
#
# Points (the paper's detection recipe):
#   fpn0..fpn4    DiffKD on the FPN levels P2-P6, weight 5, from ./_base_/diffkd_fpn_coco.py.
#   rpn_reg0..4   box-regression KD: MSE between the student's and the teacher's RPN regression
#                 outputs per level (rpn_head.rpn_reg), weight 1. The RPN's outputs are the only
#                 regression outputs that are comparable position by position: the R-CNN head
#                 regresses different proposals in teacher and student.
# Everything else is the stock student config: data, 2x schedule, SGD lr 0.02, momentum 0.9,
# weight decay 1e-4, ImageNet-pretrained R50 (torchvision://resnet50), 8 GPUs x 2 images.
#   bash tools/dist_train.sh configs/diffkd/diffkd_faster-rcnn_r101-r50_fpn_2x_coco.py 8
# Total batch 16 = 8 GPUs x 2:  bash tools/dist_train.sh CONFIG 8. Another GPU count: add
# --auto-scale-lr (lr x total / 16, from auto_scale_lr.base_batch_size = 16).
_base_ = [
    '../_base_/teachers/coco.py',
    './_base_/diffkd_fpn_coco.py',
    'mmdet::faster_rcnn/faster-rcnn_r50_fpn_2x_coco.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_faster_rcnn_r101_coco,
    distill_points=dict(**_base_.diffkd_fpn_points, **_base_.rpn_reg_kd_points))
