# DiffKD's COCO detection setting (Huang et al., "Knowledge Diffusion for Distillation", NeurIPS
# 2023), shared by the configs/diffkd/diffkd_*_coco.py detectors: one DiffKD denoiser per FPN
# level (fpn0..fpn4: the five levels of the stock mmdet FPN, 256 channels in teacher and student,
# no autoencoder) with MSE as the distance, point weight 5 (it multiplies the MSE and the diffusion
# loss alike). Each config adds its detector's box-regression KD points (MSE between the student's
# and the teacher's regression outputs per level, weight 1; the point sets below) and changes the
# FPN weight where the paper does (RepPoints: 15).
# Everything else is the stock student config (data, 2x schedule, SGD, ImageNet-pretrained
# backbone, 8 GPUs x 2 images).
_base_ = ['../../_base_/distill_runtime.py']

# Values the configs of this setting read (and never change); the user guide, "Configs", explains
# how a config combines them.
diffkd_fpn_denoiser = dict(
    type='DiffKDDenoiser', student_channels=256, teacher_channels=256, kind='map')
#: DiffKD on the five FPN levels, weight 5.
diffkd_fpn_points = dict(
    fpn0=dict(
        student='neck[0]', teacher='neck[0]', connector=diffkd_fpn_denoiser,
        loss=dict(type='FeatureMSELoss'), weight=5.0),
    fpn1=dict(
        student='neck[1]', teacher='neck[1]', connector=diffkd_fpn_denoiser,
        loss=dict(type='FeatureMSELoss'), weight=5.0),
    fpn2=dict(
        student='neck[2]', teacher='neck[2]', connector=diffkd_fpn_denoiser,
        loss=dict(type='FeatureMSELoss'), weight=5.0),
    fpn3=dict(
        student='neck[3]', teacher='neck[3]', connector=diffkd_fpn_denoiser,
        loss=dict(type='FeatureMSELoss'), weight=5.0),
    fpn4=dict(
        student='neck[4]', teacher='neck[4]', connector=diffkd_fpn_denoiser,
        loss=dict(type='FeatureMSELoss'), weight=5.0))
#: Box-regression KD of one regression output: MSE, weight 1. The point sets below hold it per
#: level for each detector of the shipped configs.
box_reg_kd = dict(loss=dict(type='FeatureMSELoss'), weight=1.0)
#: Faster R-CNN (and, with the same anchors, the Cascade Mask R-CNN teacher): the RPN's.
rpn_reg_kd_points = dict(
    rpn_reg0=dict(student='rpn_head.rpn_reg[0]', teacher='rpn_head.rpn_reg[0]', **box_reg_kd),
    rpn_reg1=dict(student='rpn_head.rpn_reg[1]', teacher='rpn_head.rpn_reg[1]', **box_reg_kd),
    rpn_reg2=dict(student='rpn_head.rpn_reg[2]', teacher='rpn_head.rpn_reg[2]', **box_reg_kd),
    rpn_reg3=dict(student='rpn_head.rpn_reg[3]', teacher='rpn_head.rpn_reg[3]', **box_reg_kd),
    rpn_reg4=dict(student='rpn_head.rpn_reg[4]', teacher='rpn_head.rpn_reg[4]', **box_reg_kd))
#: RetinaNet.
retina_reg_kd_points = dict(
    reg0=dict(student='bbox_head.retina_reg[0]', teacher='bbox_head.retina_reg[0]', **box_reg_kd),
    reg1=dict(student='bbox_head.retina_reg[1]', teacher='bbox_head.retina_reg[1]', **box_reg_kd),
    reg2=dict(student='bbox_head.retina_reg[2]', teacher='bbox_head.retina_reg[2]', **box_reg_kd),
    reg3=dict(student='bbox_head.retina_reg[3]', teacher='bbox_head.retina_reg[3]', **box_reg_kd),
    reg4=dict(student='bbox_head.retina_reg[4]', teacher='bbox_head.retina_reg[4]', **box_reg_kd))
#: FCOS: before its per-level scale and exp.
fcos_reg_kd_points = dict(
    reg0=dict(student='bbox_head.conv_reg[0]', teacher='bbox_head.conv_reg[0]', **box_reg_kd),
    reg1=dict(student='bbox_head.conv_reg[1]', teacher='bbox_head.conv_reg[1]', **box_reg_kd),
    reg2=dict(student='bbox_head.conv_reg[2]', teacher='bbox_head.conv_reg[2]', **box_reg_kd),
    reg3=dict(student='bbox_head.conv_reg[3]', teacher='bbox_head.conv_reg[3]', **box_reg_kd),
    reg4=dict(student='bbox_head.conv_reg[4]', teacher='bbox_head.conv_reg[4]', **box_reg_kd))
#: RepPoints: the initial points and the refinement offsets.
reppoints_pts_kd_points = dict(
    pts_init0=dict(
        student='bbox_head.reppoints_pts_init_out[0]',
        teacher='bbox_head.reppoints_pts_init_out[0]',
        **box_reg_kd),
    pts_init1=dict(
        student='bbox_head.reppoints_pts_init_out[1]',
        teacher='bbox_head.reppoints_pts_init_out[1]',
        **box_reg_kd),
    pts_init2=dict(
        student='bbox_head.reppoints_pts_init_out[2]',
        teacher='bbox_head.reppoints_pts_init_out[2]',
        **box_reg_kd),
    pts_init3=dict(
        student='bbox_head.reppoints_pts_init_out[3]',
        teacher='bbox_head.reppoints_pts_init_out[3]',
        **box_reg_kd),
    pts_init4=dict(
        student='bbox_head.reppoints_pts_init_out[4]',
        teacher='bbox_head.reppoints_pts_init_out[4]',
        **box_reg_kd),
    pts_refine0=dict(
        student='bbox_head.reppoints_pts_refine_out[0]',
        teacher='bbox_head.reppoints_pts_refine_out[0]',
        **box_reg_kd),
    pts_refine1=dict(
        student='bbox_head.reppoints_pts_refine_out[1]',
        teacher='bbox_head.reppoints_pts_refine_out[1]',
        **box_reg_kd),
    pts_refine2=dict(
        student='bbox_head.reppoints_pts_refine_out[2]',
        teacher='bbox_head.reppoints_pts_refine_out[2]',
        **box_reg_kd),
    pts_refine3=dict(
        student='bbox_head.reppoints_pts_refine_out[3]',
        teacher='bbox_head.reppoints_pts_refine_out[3]',
        **box_reg_kd),
    pts_refine4=dict(
        student='bbox_head.reppoints_pts_refine_out[4]',
        teacher='bbox_head.reppoints_pts_refine_out[4]',
        **box_reg_kd))
