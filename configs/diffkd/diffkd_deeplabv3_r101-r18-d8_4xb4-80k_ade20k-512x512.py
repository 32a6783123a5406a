# DiffKD (Huang et al., NeurIPS 2023) on ADE20K: the paper's Cityscapes recipe adapted (the paper
# reports no ADE20K result).
# Teacher: DeepLabV3 R101-D8, 512x512, 160k iterations (mmseg zoo: 45.00 mIoU).
# Student: DeepLabV3 R18-D8 from an ImageNet-pretrained R18. mmseg has no R18 ADE20K config or
#   checkpoint: the student config (and its baseline run) is
#   configs/_base_/deeplabv3_r18-d8_4xb4-80k_ade20k-512x512.py.
#
# Point: DiffKD on the segmentation logits (decode_head.conv_seg, 150 channels at 1/8 resolution,
# no autoencoder) with DIST (beta = gamma = tau = 1) as the distance, weight 1. Poly lr from 0.02
# (the stock ADE20K schedule starts at 0.01), 512x512 crops, random scale 0.5-2 and flip (stock
# ADE20K pipeline), 80k iterations, 4 GPUs x 4 images.
# Total batch 16 = 4 GPUs x 4:  bash tools/dist_train.sh CONFIG 4. Another GPU count: add
# --auto-scale-lr (lr x total / 16, from auto_scale_lr.base_batch_size = 16).
_base_ = ['../_base_/deeplabv3_r18-d8_4xb4-80k_ade20k-512x512.py', '../_base_/distill_runtime.py']

model = dict(
    _delete_=True,
    type='FeatureDistiller',
    student={{_base_.model}},
    teacher=dict(
        config='mmseg::deeplabv3/deeplabv3_r101-d8_4xb4-160k_ade20k-512x512.py',
        checkpoint='https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/'
        'deeplabv3_r101-d8_512x512_160k_ade20k/'
        'deeplabv3_r101-d8_512x512_160k_ade20k_20200615_105816-b1f72b3b.pth'),
    distill_points=dict(
        logits=dict(
            student='decode_head.conv_seg',
            teacher='decode_head.conv_seg',
            connector=dict(
                type='DiffKDDenoiser', student_channels=150, teacher_channels=150, kind='map'),
            loss=dict(type='DISTLoss', beta=1.0, gamma=1.0, tau=1.0),
            weight=1.0)))
optim_wrapper = dict(optimizer=dict(lr=0.02))
auto_scale_lr = dict(base_batch_size=16)
