"""Models for mmpretrain: extra backbones. Needs mmpretrain; importing this package registers them."""
from .backbones import (CIFARMobileNetV2, CIFARResNet, CIFARShuffleNetV1, CIFARShuffleNetV2,
                        CIFARVGG, CIFARWideResNet, MobileNetV1)

__all__ = [
    'MobileNetV1', 'CIFARResNet', 'CIFARWideResNet', 'CIFARVGG', 'CIFARMobileNetV2',
    'CIFARShuffleNetV1', 'CIFARShuffleNetV2',
]
