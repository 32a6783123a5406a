# WRN-40-2 (2.26M parameters) on CIFAR-100, trained from scratch with the CRD recipe (_base_/).
# Teacher of WRN-40-1 (CRD reports 75.61 top-1).
#   python tools/train.py configs/cifar100/wrn-40-2_cifar100.py
# writes work_dirs/wrn-40-2_cifar100/epoch_240.pth.
_base_ = ['./_base_/classifier.py']
model = dict(
    backbone=dict(type='CIFARWideResNet', depth=40, widen_factor=2),
    head=dict(in_channels=128))  # the pooled penultimate feature width
