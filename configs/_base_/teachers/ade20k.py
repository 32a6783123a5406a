# The ADE20K segmentation teacher of the shipped configs, defined once: mmseg's DeepLabV3 R101-D8,
# 512x512, 160k iterations. A distillation config lists this file among its bases and reads it:
# teacher=_base_.teacher_deeplabv3_r101_ade20k.
teacher_deeplabv3_r101_ade20k = dict(
    config='mmseg::deeplabv3/deeplabv3_r101-d8_4xb4-160k_ade20k-512x512.py',
    checkpoint='https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/'
    'deeplabv3_r101-d8_512x512_160k_ade20k/'
    'deeplabv3_r101-d8_512x512_160k_ade20k_20200615_105816-b1f72b3b.pth')
