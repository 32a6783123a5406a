# DiffKD on the toy detection set, the paper's detection recipe at toy scale: one DiffKD denoiser
# per FPN level (32 channels in teacher and student, no autoencoder, MSE, weight 5;
# ./_base_/diffkd_fpn_toy-det.py) plus box-regression KD on the RPN regression outputs (MSE,
# weight 1).
# Train the teacher first:  python tools/train.py configs/toy/faster-rcnn_r18-w32_fpn_toy-det.py
_base_ = [
    './_base_/distill_faster-rcnn_r18w32-r18w8_fpn_toy-det.py',
    './_base_/diffkd_fpn_toy-det.py',
]

model = _base_.pop('distiller')
model.merge(dict(
    distill_points={
        f'rpn_reg{i}': dict(
            student=f'rpn_head.rpn_reg[{i}]',
            teacher=f'rpn_head.rpn_reg[{i}]',
            loss=dict(type='FeatureMSELoss'),
            weight=1.0)
        for i in range(4)
    }))
