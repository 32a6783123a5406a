"""The CIFAR VGGs of the CRD model zoo (vgg8, vgg11, vgg13, vgg16, vgg19, all with BatchNorm)."""
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch.nn as nn
from mmcv.cnn import build_conv_layer, build_norm_layer
from mmpretrain.registry import MODELS
from torch import Tensor

from .base import DEFAULT_INIT_CFG, StagedBackbone, normalize_out_indices


def conv_norm_relu(in_channels: int, out_channels: int, conv_cfg: Optional[dict],
                   norm_cfg: Optional[dict]) -> nn.Sequential:
    """3x3 conv (with bias) + optional norm + ReLU: ``(B, C_in, H, W) -> (B, C_out, H, W)``.

    The conv keeps its bias even before BN because the CRD checkpoints have conv biases: keeping
    them lets those state dicts load and makes the parameter counts match the published ones.
    (Built by hand rather than with ``ConvModule``, which warns about such a bias on every layer.)
    """
    layers = [('conv', build_conv_layer(conv_cfg, in_channels, out_channels, 3, padding=1,
                                        bias=True))]
    if norm_cfg is not None:
        layers.append(build_norm_layer(norm_cfg, out_channels))
    layers.append(('relu', nn.ReLU(inplace=True)))
    return nn.Sequential(OrderedDict(layers))


@MODELS.register_module()
class CIFARVGG(StagedBackbone):
    """VGG for 32x32 CIFAR images, as in the CRD (Tian et al., ICLR 2020) model zoo.

    Five stages of 3x3 conv (+ BN) + ReLU layers; the widths of the convs of each stage:

    ======  =================================================================  ========================
    arch    stage widths                                                       params (100-class head)
    ======  =================================================================  ========================
    vgg8    [64], [128], [256], [512], [512]                                   3.96M
    vgg11   [64], [128], [256, 256], [512, 512], [512, 512]                    9.28M
    vgg13   [64, 64], [128, 128], [256, 256], [512, 512], [512, 512]           9.46M
    vgg16   [64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512]*3    14.77M
    vgg19   [64, 64], [128, 128], [256]*4, [512]*4, [512]*4                    20.09M
    ======  =================================================================  ========================

    A 2x2 max-pool precedes stages 1, 2 and 3. Following CRD, the max-pool before the last stage is
    applied only to 64x64 inputs (Tiny-ImageNet): for 32x32 CIFAR images stages 3 and 4 both run at
    4x4, so the final map is 4x4 for both input sizes. ``pool_before_last`` overrides this rule.
    The classifier of the CRD zoo is a single ``Linear(512, num_classes)`` after global average
    pooling, i.e. ``GlobalAveragePooling`` + ``LinearClsHead(in_channels=512)`` in mmpretrain.

    Output ``i`` (``i`` in 0..4) is the post-ReLU output of stage ``i``; the default
    ``out_indices=(4,)`` is the final 512-channel map before pooling (the penultimate feature).

    Args:
        arch (str): One of ``'vgg8'``, ``'vgg11'``, ``'vgg13'``, ``'vgg16'``, ``'vgg19'``.
            Defaults to ``'vgg8'``.
        out_indices (Sequence[int]): Stages whose outputs to return. Defaults to ``(4,)``.
        frozen_stages (int): Freeze stages ``0..frozen_stages - 1``; ``-1`` and ``0`` freeze nothing
            (there is no separate stem). Defaults to -1.
        pool_before_last (bool, optional): Whether to max-pool before the last stage. ``None``
            (default) applies the CRD rule: pool only when the input is 64 pixels high.
        conv_cfg (dict, optional): Config of the conv layers.
        norm_cfg (dict, optional): Config of the norm layers; ``None`` builds the plain (BN-free)
            VGG. Defaults to ``dict(type='BN')``, the ``vgg*_bn`` models of the CRD zoo.
        norm_eval (bool): Keep the BatchNorms in eval mode while training. Defaults to False.
        init_cfg (dict | list[dict], optional): Initialisation config.

    Shapes:
        Input ``(B, 3, 32, 32)``; outputs ``(B, 64, 32, 32)``, ``(B, 128, 16, 16)``,
        ``(B, 256, 8, 8)``, ``(B, 512, 4, 4)``, ``(B, 512, 4, 4)`` for stages 0..4.
    """

    arch_zoo: Dict[str, List[List[int]]] = {
        'vgg8': [[64], [128], [256], [512], [512]],
        'vgg11': [[64], [128], [256, 256], [512, 512], [512, 512]],
        'vgg13': [[64, 64], [128, 128], [256, 256], [512, 512], [512, 512]],
        'vgg16': [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]],
        'vgg19': [[64, 64], [128, 128], [256, 256, 256, 256], [512, 512, 512, 512],
                  [512, 512, 512, 512]],
    }
    num_stages = 5

    def __init__(self,
                 arch: str = 'vgg8',
                 out_indices: Union[int, Sequence[int]] = (4,),
                 frozen_stages: int = -1,
                 pool_before_last: Optional[bool] = None,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = dict(type='BN'),
                 norm_eval: bool = False,
                 init_cfg: Optional[Union[dict, List[dict]]] = DEFAULT_INIT_CFG) -> None:
        super().__init__(frozen_stages=frozen_stages, norm_eval=norm_eval, init_cfg=init_cfg)
        if arch not in self.arch_zoo:
            raise KeyError(f'Unknown arch {arch!r}; choose from {sorted(self.arch_zoo)}')
        if not -1 <= frozen_stages <= self.num_stages:
            raise ValueError(f'frozen_stages must be in -1..{self.num_stages}, got {frozen_stages}')
        self.arch = arch
        self.pool_before_last = pool_before_last
        self.out_indices = normalize_out_indices(out_indices, self.num_stages)

        self.stages = nn.ModuleList()
        in_channels = 3
        for stage_widths in self.arch_zoo[arch]:
            layers = []
            for width in stage_widths:
                layers.append(conv_norm_relu(in_channels, width, conv_cfg, norm_cfg))
                in_channels = width
            self.stages.append(nn.Sequential(*layers))
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.out_channels = [widths[-1] for widths in self.arch_zoo[arch]]
        self._freeze_stages()

    def _frozen_modules(self) -> List[nn.Module]:
        return list(self.stages[:max(self.frozen_stages, 0)])

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Return the stage outputs named by ``out_indices``, each ``(B, C_i, H_i, W_i)``."""
        pool_last = self.pool_before_last
        if pool_last is None:
            pool_last = x.shape[2] == 64
        outs = []
        for index, stage in enumerate(self.stages):
            if 0 < index < self.num_stages - 1 or (index == self.num_stages - 1 and pool_last):
                x = self.pool(x)
            x = stage(x)
            if index in self.out_indices:
                outs.append(x)
        return tuple(outs)
