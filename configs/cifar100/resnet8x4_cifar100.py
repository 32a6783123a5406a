# ResNet-8x4 (1.23M parameters) on CIFAR-100, trained from scratch with the CRD recipe (_base_/).
# Student (CRD baseline 72.50 top-1).
#   python tools/train.py configs/cifar100/resnet8x4_cifar100.py
# writes work_dirs/resnet8x4_cifar100/epoch_240.pth.
_base_ = ['./_base_/classifier.py']
model = dict(
    backbone=dict(type='CIFARResNet', arch='resnet8x4'),
    head=dict(in_channels=256))  # the pooled penultimate feature width
