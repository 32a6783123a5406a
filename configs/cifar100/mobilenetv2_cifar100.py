# MobileNetV2 (CRD variant, widen factor 0.5, 0.81M parameters) on CIFAR-100, trained from scratch
# with the CRD recipe (_base_/). Student (CRD baseline 64.60 top-1), lr 0.01 as the recipe
# prescribes for this family.
#   python tools/train.py configs/cifar100/mobilenetv2_cifar100.py
# writes work_dirs/mobilenetv2_cifar100/epoch_240.pth.
_base_ = ['./_base_/classifier.py']
model = dict(
    backbone=dict(type='CIFARMobileNetV2', widen_factor=0.5),
    head=dict(in_channels=1280))  # the pooled penultimate feature width
optim_wrapper = dict(optimizer=dict(lr=0.01))
