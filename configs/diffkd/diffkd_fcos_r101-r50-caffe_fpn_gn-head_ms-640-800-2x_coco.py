# DiffKD (Huang et al., NeurIPS 2023) on COCO, 2x schedule.
# Teacher: FCOS R101-caffe-FPN, GN head, multi-scale 640-800 2x (40.8 box AP), mmdet model zoo.
# Student: FCOS R50-caffe-FPN, GN head, multi-scale 640-800 2x (stock baseline 38.5 AP)
#   -> paper: 42.4 AP.
# The installed mmdet has no 2x FCOS config with a pytorch-style ResNet; the zoo's 2x FCOS pair
# (the paper's 40.8 / 38.5 AP) is the caffe-style one used here. Teacher and student share the
# caffe normalisation (BGR, mean subtraction only), so no re-normalisation is needed.
#
# Points: DiffKD on the FPN levels P3-P7, weight 5 (./_base_/diffkd_fpn_coco.py); box-regression
# KD: MSE between the raw bbox_head.conv_reg outputs per level (before FCOS's per-level scale and
# exp), weight 1. Everything else is the stock student config (2x, SGD lr 0.01, weight decay 1e-4
# with no decay on biases, gradient clipping).
# Total batch 16 = 8 GPUs x 2:  bash tools/dist_train.sh CONFIG 8. Another GPU count: add
# --auto-scale-lr (lr x total / 16, from auto_scale_lr.base_batch_size = 16).
_base_ = [
    '../_base_/teachers/coco.py',
    './_base_/diffkd_fpn_coco.py',
    'mmdet::fcos/fcos_r50-caffe_fpn_gn-head_ms-640-800-2x_coco.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_fcos_r101_coco,
    distill_points=dict(**_base_.diffkd_fpn_points, **_base_.fcos_reg_kd_points))
