# DiffKD on the toy detection set, the paper's detection recipe at toy scale: one DiffKD denoiser
# per FPN level (32 channels in teacher and student, no autoencoder, MSE, weight 5;
# ./_base_/diffkd_fpn_toy-det.py) plus box-regression KD on the RPN regression outputs (MSE,
# weight 1).
# Train the teacher first:  python tools/train.py configs/toy/faster-rcnn_r18-w32_fpn_toy-det.py
_base_ = [
    './_base_/teachers.py',
    './_base_/diffkd_fpn_toy-det.py',
    './faster-rcnn_r18-w8_fpn_toy-det.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_faster_rcnn_r18w32_toy,
    distill_points=dict(**_base_.diffkd_fpn_points, **_base_.rpn_reg_kd_points))
