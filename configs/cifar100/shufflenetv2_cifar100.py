# ShuffleNetV2 (CRD variant, 1x, 1.36M parameters) on CIFAR-100, trained from scratch with the CRD
# recipe (_base_/). Student (CRD baseline 71.82 top-1), lr 0.01 as the recipe prescribes for this
# family.
#   python tools/train.py configs/cifar100/shufflenetv2_cifar100.py
# writes work_dirs/shufflenetv2_cifar100/epoch_240.pth.
_base_ = ['./_base_/classifier.py']
model = dict(
    backbone=dict(type='CIFARShuffleNetV2', widen_factor=1.0),
    head=dict(in_channels=1024))  # the pooled penultimate feature width
optim_wrapper = dict(optimizer=dict(lr=0.01))
