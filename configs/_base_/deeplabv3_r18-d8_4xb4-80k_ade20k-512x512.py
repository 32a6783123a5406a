# Plain (not distilled) DeepLabV3 R18-D8 on ADE20K, 512x512 crops, 80k iterations, 4 GPUs x 4.
# mmseg ships no R18 config (and no checkpoint) for ADE20K: this is its R50 ADE20K config with the
# R18 changes of mmseg's deeplabv3_r18-d8_4xb2-80k_cityscapes-512x1024.py (ImageNet-pretrained
# resnet18_v1c, decode head 512 -> 128 channels, auxiliary head 256 -> 64). It is the baseline of
# configs/diffkd/diffkd_deeplabv3_r101-r18-d8_4xb4-80k_ade20k-512x512.py and that config's base.
#   bash tools/dist_train.sh configs/_base_/deeplabv3_r18-d8_4xb4-80k_ade20k-512x512.py 4
_base_ = 'mmseg::deeplabv3/deeplabv3_r50-d8_4xb4-80k_ade20k-512x512.py'
model = dict(
    pretrained='open-mmlab://resnet18_v1c',
    backbone=dict(depth=18),
    decode_head=dict(in_channels=512, channels=128),
    auxiliary_head=dict(in_channels=256, channels=64))
