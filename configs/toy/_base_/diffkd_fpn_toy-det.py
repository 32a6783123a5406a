# DiffKD on the toy detection set, the paper's detection recipe (configs/diffkd/_base_/
# diffkd_fpn_coco.py) at toy scale, shared by the Faster R-CNN and RetinaNet pairs
# (../diffkd_*_r18w32-r18w8_fpn_toy-det.py): one DiffKD denoiser per FPN level (4 levels, 32
# channels in teacher and student, no autoencoder) with MSE, weight 5. Each config adds its
# detector's box-regression KD points (MSE, weight 1; the point sets below).

_base_ = ['../../_base_/distill_runtime.py']

# Values the configs of this setting read (and never change).
diffkd_fpn_points = dict(
    fpn0=dict(
        student='neck[0]', teacher='neck[0]',
        connector=dict(type='DiffKDDenoiser', student_channels=32, teacher_channels=32, kind='map'),
        loss=dict(type='FeatureMSELoss'), weight=5.0),
    fpn1=dict(
        student='neck[1]', teacher='neck[1]',
        connector=dict(type='DiffKDDenoiser', student_channels=32, teacher_channels=32, kind='map'),
        loss=dict(type='FeatureMSELoss'), weight=5.0),
    fpn2=dict(
        student='neck[2]', teacher='neck[2]',
        connector=dict(type='DiffKDDenoiser', student_channels=32, teacher_channels=32, kind='map'),
        loss=dict(type='FeatureMSELoss'), weight=5.0),
    fpn3=dict(
        student='neck[3]', teacher='neck[3]',
        connector=dict(type='DiffKDDenoiser', student_channels=32, teacher_channels=32, kind='map'),
        loss=dict(type='FeatureMSELoss'), weight=5.0))
#: Box-regression KD: MSE between the student's and the teacher's regression outputs, weight 1.
box_reg_kd = dict(loss=dict(type='FeatureMSELoss'), weight=1.0)
#: RetinaNet: the head's regression outputs per level.
retina_reg_kd_points = dict(
    reg0=dict(student='bbox_head.retina_reg[0]', teacher='bbox_head.retina_reg[0]', **box_reg_kd),
    reg1=dict(student='bbox_head.retina_reg[1]', teacher='bbox_head.retina_reg[1]', **box_reg_kd),
    reg2=dict(student='bbox_head.retina_reg[2]', teacher='bbox_head.retina_reg[2]', **box_reg_kd),
    reg3=dict(student='bbox_head.retina_reg[3]', teacher='bbox_head.retina_reg[3]', **box_reg_kd))
#: Faster R-CNN: the RPN's regression outputs per level.
rpn_reg_kd_points = dict(
    rpn_reg0=dict(student='rpn_head.rpn_reg[0]', teacher='rpn_head.rpn_reg[0]', **box_reg_kd),
    rpn_reg1=dict(student='rpn_head.rpn_reg[1]', teacher='rpn_head.rpn_reg[1]', **box_reg_kd),
    rpn_reg2=dict(student='rpn_head.rpn_reg[2]', teacher='rpn_head.rpn_reg[2]', **box_reg_kd),
    rpn_reg3=dict(student='rpn_head.rpn_reg[3]', teacher='rpn_head.rpn_reg[3]', **box_reg_kd))
