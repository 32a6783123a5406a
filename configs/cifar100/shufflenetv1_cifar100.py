# ShuffleNetV1 (CRD variant, 3 groups, 0.95M parameters) on CIFAR-100, trained from scratch with
# the CRD recipe (_base_/). Student (CRD baseline 70.50 top-1), lr 0.01 as the recipe prescribes
# for this family.
#   python tools/train.py configs/cifar100/shufflenetv1_cifar100.py
# writes work_dirs/shufflenetv1_cifar100/epoch_240.pth.
_base_ = ['./_base_/classifier.py']
model = dict(
    backbone=dict(type='CIFARShuffleNetV1', groups=3),
    head=dict(in_channels=960))  # the pooled penultimate feature width
optim_wrapper = dict(optimizer=dict(lr=0.01))
