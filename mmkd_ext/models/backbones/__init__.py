"""Extra backbones registered in mmpretrain's ``MODELS`` registry (importing this module registers them).

Names are chosen not to collide with mmpretrain's own backbones (which include ``ResNet``,
``ResNet_CIFAR``, ``MobileNetV2``, ``ShuffleNetV1``, ``ShuffleNetV2`` and ``VGG``).
"""
from .cifar_resnet import CIFARResNet
from .mobilenet_v1 import MobileNetV1
from .mobilenet_v2_cifar import CIFARMobileNetV2
from .shufflenet_cifar import CIFARShuffleNetV1, CIFARShuffleNetV2
from .vgg_cifar import CIFARVGG
from .wide_resnet_cifar import CIFARWideResNet

__all__ = [
    'MobileNetV1', 'CIFARResNet', 'CIFARWideResNet', 'CIFARVGG', 'CIFARMobileNetV2',
    'CIFARShuffleNetV1', 'CIFARShuffleNetV2',
]
