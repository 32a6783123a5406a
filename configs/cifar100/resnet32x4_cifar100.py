# ResNet-32x4 (7.43M parameters) on CIFAR-100, trained from scratch with the CRD recipe (_base_/).
# Teacher of ResNet-8x4, ShuffleNetV1 and ShuffleNetV2 (CRD reports 79.42 top-1).
#   python tools/train.py configs/cifar100/resnet32x4_cifar100.py
# writes work_dirs/resnet32x4_cifar100/epoch_240.pth.
_base_ = ['./_base_/classifier.py']
model = dict(
    backbone=dict(type='CIFARResNet', arch='resnet32x4'),
    head=dict(in_channels=256))  # the pooled penultimate feature width
