# DiffKD's semantic-segmentation setting (Huang et al., NeurIPS 2023), the paper's Cityscapes
# recipe, shared by the configs/diffkd/diffkd_*_cityscapes-512x1024.py configs.
# Teacher: DeepLabV3 R101-D8, 512x1024, 80k iterations (mmseg zoo: 80.20 mIoU; the paper's own
#   teacher had 78.07 val mIoU).
# Point: DiffKD on the segmentation logits (decode_head.conv_seg output, 19 channels at 1/8
# resolution in both networks, no autoencoder) with DIST (beta = gamma = tau = 1) as the distance,
# weight 1.
# Recipe: random flip, random scale 0.5-2, 512x1024 crops (all stock), SGD momentum 0.9, poly lr
# from 0.02 (the stock config starts at 0.01; each config sets it, the student config holds the
# optimizer). Iterations, batch (4 GPUs x 2) and weight decay (5e-4) are the stock mmseg 80k
# schedule: the paper does not state them.
# diffkd_deeplabv3_r101-r18-d8_4xb4-80k_ade20k-512x512.py adapts this setting to ADE20K (its own
# teacher, 150 classes, batch 16).
_base_ = ['../../_base_/distill_runtime.py']

#: DiffKD + DIST on the segmentation logits (read by the configs of this setting, never changed).
diffkd_logits_points = dict(
    logits=dict(
        student='decode_head.conv_seg',
        teacher='decode_head.conv_seg',
        connector=dict(type='DiffKDDenoiser', student_channels=19, teacher_channels=19, kind='map'),
        loss=dict(type='DISTLoss', beta=1.0, gamma=1.0, tau=1.0),
        weight=1.0))
auto_scale_lr = dict(base_batch_size=8)
