# ResNet-56 (0.86M parameters) on CIFAR-100, trained from scratch with the CRD recipe (_base_/).
# Teacher of ResNet-20 (CRD reports 72.34 top-1).
#   python tools/train.py configs/cifar100/resnet56_cifar100.py
# writes work_dirs/resnet56_cifar100/epoch_240.pth.
_base_ = ['./_base_/classifier.py']
model = dict(
    backbone=dict(type='CIFARResNet', arch='resnet56'),
    head=dict(in_channels=64))  # the pooled penultimate feature width
