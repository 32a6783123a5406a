# Logit distillation (KD, Hinton et al. 2015) on the toy segmentation set: per-pixel KL with
# temperature 1 between the decode heads' logits, averaged over pixels, weight 1.
# Train the teacher first:  python tools/train.py configs/toy/fcn_r18-w32_toy-seg.py
_base_ = ['../_base_/distill_runtime.py', './_base_/teachers.py', './fcn_r18-w8_toy-seg.py']

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_fcn_r18w32_toy,
    distill_points=dict(
        logits=dict(
            student='decode_head.conv_seg',
            teacher='decode_head.conv_seg',
            loss=dict(type='KDLoss', tau=1.0, loss_weight=1.0))))
