# WRN-40-1 (0.57M parameters) on CIFAR-100, trained from scratch with the CRD recipe (_base_/).
# Student (CRD baseline 71.98 top-1).
#   python tools/train.py configs/cifar100/wrn-40-1_cifar100.py
# writes work_dirs/wrn-40-1_cifar100/epoch_240.pth.
_base_ = ['./_base_/classifier.py']
model = dict(
    backbone=dict(type='CIFARWideResNet', depth=40, widen_factor=1),
    head=dict(in_channels=64))  # the pooled penultimate feature width
