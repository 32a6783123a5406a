# The CIFAR-100 teachers of the shipped configs, each defined once. They have no public
# checkpoint: each names the file that
#   python tools/train.py configs/cifar100/<teacher>_cifar100.py
# writes (or pass model.teacher.checkpoint=PATH). A distillation config lists this file among its
# bases and reads one: teacher=_base_.teacher_resnet32x4_cifar100.
teacher_resnet32x4_cifar100 = dict(
    config='{{fileDirname}}/../../cifar100/resnet32x4_cifar100.py',
    checkpoint='work_dirs/resnet32x4_cifar100/epoch_240.pth')
teacher_resnet50_cifar100 = dict(
    config='{{fileDirname}}/../../cifar100/resnet50_cifar100.py',
    checkpoint='work_dirs/resnet50_cifar100/epoch_240.pth')
teacher_resnet56_cifar100 = dict(
    config='{{fileDirname}}/../../cifar100/resnet56_cifar100.py',
    checkpoint='work_dirs/resnet56_cifar100/epoch_240.pth')
teacher_wrn_40_2_cifar100 = dict(
    config='{{fileDirname}}/../../cifar100/wrn-40-2_cifar100.py',
    checkpoint='work_dirs/wrn-40-2_cifar100/epoch_240.pth')
