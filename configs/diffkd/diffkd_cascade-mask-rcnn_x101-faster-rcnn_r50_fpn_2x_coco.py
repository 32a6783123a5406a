# DiffKD (Huang et al., NeurIPS 2023) on COCO, 2x schedule.
# Teacher: Cascade Mask R-CNN X101-64x4d-FPN 20e (45.6 box AP), mmdet model zoo. Only its
#   backbone, FPN and RPN run during distillation (the teacher stops once the recorded modules ran).
# Student: Faster R-CNN R50-FPN 2x (stock baseline 38.4 AP) -> paper: 42.2 AP.
#
# Points: one DiffKD denoiser per FPN level (P2-P6, 256 channels, no autoencoder, MSE), weight 5;
# box-regression KD: MSE between the RPN regression outputs (rpn_head.rpn_reg, same anchors in
# both models) per level, weight 1. Everything else is the stock student config (2x, SGD lr 0.02,
# weight decay 1e-4).
# Total batch 16 = 8 GPUs x 2:  bash tools/dist_train.sh CONFIG 8. Another GPU count: add
# --auto-scale-lr (lr x total / 16, from auto_scale_lr.base_batch_size = 16).
_base_ = 'mmdet::faster_rcnn/faster-rcnn_r50_fpn_2x_coco.py'
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='FeatureDistiller',
    student={{_base_.model}},
    teacher=dict(
        config='mmdet::cascade_rcnn/cascade-mask-rcnn_x101-64x4d_fpn_20e_coco.py',
        checkpoint='https://download.openmmlab.com/mmdetection/v2.0/cascade_rcnn/'
        'cascade_mask_rcnn_x101_64x4d_fpn_20e_coco/'
        'cascade_mask_rcnn_x101_64x4d_fpn_20e_coco_20200512_161033-bdb5126a.pth'),
    distill_points={
        **{
            f'fpn{i}': dict(
                student=f'neck[{i}]',
                teacher=f'neck[{i}]',
                connector=dict(
                    type='DiffKDDenoiser', student_channels=256, teacher_channels=256,
                    kind='map'),
                loss=dict(type='FeatureMSELoss'),
                weight=5.0)
            for i in range(5)
        },
        **{
            f'rpn_reg{i}': dict(
                student=f'rpn_head.rpn_reg[{i}]',
                teacher=f'rpn_head.rpn_reg[{i}]',
                loss=dict(type='FeatureMSELoss'),
                weight=1.0)
            for i in range(5)
        },
    })
custom_hooks = [dict(type='StudentCheckpointHook')]
