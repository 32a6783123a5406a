# Faster R-CNN with a ResNet-18 FPN on COCO, mmdet's 2x schedule (24 epochs). mmdet ships no such
# config for this schedule (only an LSJ 200-epoch one), so this is the stock R50 2x config with an
# ImageNet-pretrained torchvision ResNet-18 backbone. It is the student of
# configs/nd/nd-kd_faster-rcnn_r101-r18_fpn_2x_coco.py (the ND paper's R101 -> R18 setting).
_base_ = ['mmdet::faster_rcnn/faster-rcnn_r50_fpn_2x_coco.py']
model = dict(
    backbone=dict(depth=18, init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')),
    neck=dict(in_channels=[64, 128, 256, 512]))
