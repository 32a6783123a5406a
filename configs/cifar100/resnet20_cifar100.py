# ResNet-20 (0.28M parameters) on CIFAR-100, trained from scratch with the CRD recipe (_base_/).
# Student (CRD baseline 69.06 top-1).
#   python tools/train.py configs/cifar100/resnet20_cifar100.py
# writes work_dirs/resnet20_cifar100/epoch_240.pth.
_base_ = ['./_base_/classifier.py']
model = dict(
    backbone=dict(type='CIFARResNet', arch='resnet20'),
    head=dict(in_channels=64))  # the pooled penultimate feature width
