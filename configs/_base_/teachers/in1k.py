# The ImageNet-1k teachers of the shipped configs, each defined once: mmpretrain model-zoo
# configs and checkpoints (top-1 as the zoo lists it). A distillation config lists this file among
# its bases and reads one: teacher=_base_.teacher_resnet34_in1k.

# ResNet-34, 73.62 top-1.
teacher_resnet34_in1k = dict(
    config='mmpretrain::resnet/resnet34_8xb32_in1k.py',
    checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/'
    'resnet34_8xb32_in1k_20210831-f257d4e6.pth')
# ResNet-50, 76.55 top-1.
teacher_resnet50_in1k = dict(
    config='mmpretrain::resnet/resnet50_8xb32_in1k.py',
    checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/'
    'resnet50_8xb32_in1k_20210831-ea4938fc.pth')
# ResNet-101, 77.97 top-1.
teacher_resnet101_in1k = dict(
    config='mmpretrain::resnet/resnet101_8xb32_in1k.py',
    checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/'
    'resnet101_8xb32_in1k_20210831-539c63f8.pth')
# ResNet-152, 78.48 top-1.
teacher_resnet152_in1k = dict(
    config='mmpretrain::resnet/resnet152_8xb32_in1k.py',
    checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/'
    'resnet152_8xb32_in1k_20210901-4d7582fa.pth')
