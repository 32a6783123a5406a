# Logit distillation (KD, Hinton et al. 2015) on the toy segmentation set: per-pixel KL with
# temperature 1 between the decode heads' logits, averaged over pixels, weight 1.
# Train the teacher first:  python tools/train.py configs/toy/fcn_r18-w32_toy-seg.py
_base_ = ['./_base_/distill_fcn_r18w32-r18w8_toy-seg.py']

model = dict(
    distill_points=dict(
        logits=dict(
            student='decode_head.conv_seg',
            teacher='decode_head.conv_seg',
            loss=dict(type='KDLoss', tau=1.0, loss_weight=1.0))))
