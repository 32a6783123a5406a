# The Cityscapes segmentation teacher of the shipped configs, defined once: mmseg's DeepLabV3
# R101-D8, 512x1024, 80k iterations (80.20 mIoU in the zoo). A distillation config lists this file
# among its bases and reads it: teacher=_base_.teacher_deeplabv3_r101_cityscapes.
teacher_deeplabv3_r101_cityscapes = dict(
    config='mmseg::deeplabv3/deeplabv3_r101-d8_4xb2-80k_cityscapes-512x1024.py',
    checkpoint='https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/'
    'deeplabv3_r101-d8_512x1024_80k_cityscapes/'
    'deeplabv3_r101-d8_512x1024_80k_cityscapes_20200606_113503-9e428899.pth')
