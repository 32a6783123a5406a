# Feature distillation baseline on the toy detection set, shared by the Faster R-CNN and RetinaNet
# pairs (../mse_*_r18w32-r18w8_fpn_toy-det.py): MSE between the teacher's and the student's FPN
# levels (same width, 32 channels, so no projector is needed), weight 1.

_base_ = ['../../_base_/distill_runtime.py']

mse_fpn_points = dict(
    fpn0=dict(
        student='neck[0]', teacher='neck[0]', loss=dict(type='FeatureMSELoss', loss_weight=1.0)),
    fpn1=dict(
        student='neck[1]', teacher='neck[1]', loss=dict(type='FeatureMSELoss', loss_weight=1.0)),
    fpn2=dict(
        student='neck[2]', teacher='neck[2]', loss=dict(type='FeatureMSELoss', loss_weight=1.0)),
    fpn3=dict(
        student='neck[3]', teacher='neck[3]', loss=dict(type='FeatureMSELoss', loss_weight=1.0)))
