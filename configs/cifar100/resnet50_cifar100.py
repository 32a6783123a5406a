# ResNet-50 (bottleneck blocks, 3x3 stride-1 stem, no max-pool: mmpretrain ResNet_CIFAR, the CRD
# "ResNet50") on CIFAR-100, trained from scratch with the CRD recipe (_base_/). Teacher of
# MobileNetV2 (CRD reports 79.34 top-1).
#   python tools/train.py configs/cifar100/resnet50_cifar100.py
# writes work_dirs/resnet50_cifar100/epoch_240.pth.
_base_ = ['./_base_/classifier.py']
model = dict(
    backbone=dict(type='ResNet_CIFAR', depth=50, num_stages=4, out_indices=(3, ), style='pytorch'),
    head=dict(in_channels=2048))  # the pooled penultimate feature width
