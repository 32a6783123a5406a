# DiffKD (Huang et al., NeurIPS 2023) on Cityscapes.
# Teacher: DeepLabV3 R101-D8, 512x1024, 80k iterations (mmseg zoo: 80.20 mIoU).
# Student: DeepLabV3 with an ImageNet-pretrained MobileNetV2 (D8) backbone; paper: 73.12 -> 75.71
#   val mIoU (mmseg's own 80k baseline is 73.84).
#
# Point: DiffKD on the segmentation logits (decode_head.conv_seg, 19 channels at 1/8 resolution
# in both networks, no autoencoder) with DIST as the distance, weight 1. Poly lr from 0.02 (stock:
# 0.01); everything else is the stock student config (see the DeepLabV3-R18 config's notes).
# Total batch 8 = 4 GPUs x 2:  bash tools/dist_train.sh CONFIG 4. Another GPU count: add
# --auto-scale-lr (lr x total / 8, from auto_scale_lr.base_batch_size = 8).
_base_ = [
    'mmseg::mobilenet_v2/mobilenet-v2-d8_deeplabv3_4xb2-80k_cityscapes-512x1024.py',
    '../_base_/distill_runtime.py',
]

model = dict(
    _delete_=True,
    type='FeatureDistiller',
    student={{_base_.model}},
    teacher=dict(
        config='mmseg::deeplabv3/deeplabv3_r101-d8_4xb2-80k_cityscapes-512x1024.py',
        checkpoint='https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/'
        'deeplabv3_r101-d8_512x1024_80k_cityscapes/'
        'deeplabv3_r101-d8_512x1024_80k_cityscapes_20200606_113503-9e428899.pth'),
    distill_points=dict(
        logits=dict(
            student='decode_head.conv_seg',
            teacher='decode_head.conv_seg',
            connector=dict(
                type='DiffKDDenoiser', student_channels=19, teacher_channels=19, kind='map'),
            loss=dict(type='DISTLoss', beta=1.0, gamma=1.0, tau=1.0),
            weight=1.0)))
optim_wrapper = dict(optimizer=dict(lr=0.02))
auto_scale_lr = dict(base_batch_size=8)
