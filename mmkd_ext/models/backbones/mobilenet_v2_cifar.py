"""The CIFAR MobileNetV2 of the CRD model zoo ("MobileNetV2" = width multiplier 0.5)."""
from typing import List, Optional, Sequence, Tuple, Union

import torch.nn as nn
from mmcv.cnn import ConvModule
from mmpretrain.registry import MODELS
from torch import Tensor

from ...utils.errors import check_positive
from .base import DEFAULT_INIT_CFG, StagedBackbone, normalize_out_indices


class CIFARInvertedResidual(nn.Module):
    """Inverted residual: 1x1 expand + BN + ReLU, 3x3 depthwise + BN + ReLU, 1x1 project + BN.

    Unlike mmpretrain's ``InvertedResidual``, the 1x1 expansion conv is kept even when the expansion
    ratio is 1 (the CRD implementation does so, and its parameter counts include it). The activation
    is ReLU, not ReLU6, also as in CRD. The residual connection is used when the stride is 1 and the
    width does not change.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Stride of the depthwise conv.
        expand_ratio (int): Width of the hidden layer as a multiple of ``in_channels``.
        conv_cfg, norm_cfg, act_cfg (dict, optional): Layer configs passed to ``ConvModule``.

    Shapes:
        ``(B, in_channels, H, W) -> (B, out_channels, ceil(H / stride), ceil(W / stride))``
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int, expand_ratio: int,
                 conv_cfg: Optional[dict] = None, norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU')) -> None:
        super().__init__()
        hidden = in_channels * expand_ratio
        self.use_residual = stride == 1 and in_channels == out_channels
        self.conv = nn.Sequential(
            ConvModule(in_channels, hidden, 1, conv_cfg=conv_cfg, norm_cfg=norm_cfg,
                       act_cfg=act_cfg),
            ConvModule(hidden, hidden, 3, stride=stride, padding=1, groups=hidden,
                       conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg),
            # Linear bottleneck: no activation after the projection.
            ConvModule(hidden, out_channels, 1, conv_cfg=conv_cfg, norm_cfg=norm_cfg,
                       act_cfg=None),
        )

    def forward(self, x: Tensor) -> Tensor:
        out = self.conv(x)
        return x + out if self.use_residual else out


@MODELS.register_module()
class CIFARMobileNetV2(StagedBackbone):
    """MobileNetV2 for 32x32 CIFAR images, as in the CRD (Tian et al., ICLR 2020) model zoo.

    The CRD "MobileNetV2" student is this network with ``widen_factor=0.5`` (0.81M parameters with a
    100-class linear head). Layers, with the channels at ``widen_factor=0.5``::

        stem     conv 3x3, stride 2                          16
        index 0  1 x inverted residual, t=1, stride 1        8
        index 1  2 x inverted residual, t=6, stride 1        12
        index 2  3 x inverted residual, t=6, stride 2        16
        index 3  4 x inverted residual, t=6, stride 2        32
        index 4  3 x inverted residual, t=6, stride 1        48
        index 5  3 x inverted residual, t=6, stride 2        80
        index 6  1 x inverted residual, t=6, stride 1        160
        index 7  conv 1x1 + BN + ReLU                        1280

    The CRD variant keeps the ImageNet network's stride-2 stem and instead sets the stride of the
    24-channel stage (index 1) to 1, so the total stride is 16 (a 32x32 image gives a 2x2 final map)
    rather than 32. Channels are ``int(c * widen_factor)``; the final conv has 1280 channels unless
    ``widen_factor > 1``, where it is ``int(1280 * widen_factor)``.

    Output ``i`` is the output of layer ``i`` of the table (stages 0..6, whose outputs are linear
    bottlenecks without activation, and 7, the post-ReLU final conv). The default
    ``out_indices=(7,)`` is the final 1280-channel map before pooling (the penultimate feature).

    Args:
        widen_factor (float): Width multiplier. Defaults to 0.5 (the CRD student).
        expand_ratio (int): Expansion ratio ``t`` of all stages but the first. Defaults to 6.
        out_indices (Sequence[int]): Outputs to return, in ``0..7``. Defaults to ``(7,)``.
        frozen_stages (int): ``0`` freezes the stem, ``k > 0`` the stem and layers ``0..k-1``;
            ``-1`` freezes nothing. Defaults to -1.
        conv_cfg (dict, optional): Config of the conv layers.
        norm_cfg (dict): Config of the norm layers. Defaults to ``dict(type='BN')``.
        act_cfg (dict): Config of the activations. Defaults to ``dict(type='ReLU')``.
        norm_eval (bool): Keep the BatchNorms in eval mode while training. Defaults to False.
        init_cfg (dict | list[dict], optional): Initialisation config.

    Shapes:
        Input ``(B, 3, 32, 32)``; output 7 is ``(B, 1280, 2, 2)``.
    """

    # (expansion ratio or None for `expand_ratio`, channels, blocks, first stride) per stage.
    arch_settings = [(1, 16, 1, 1), (None, 24, 2, 1), (None, 32, 3, 2), (None, 64, 4, 2),
                     (None, 96, 3, 1), (None, 160, 3, 2), (None, 320, 1, 1)]

    def __init__(self,
                 widen_factor: float = 0.5,
                 expand_ratio: int = 6,
                 out_indices: Union[int, Sequence[int]] = (7,),
                 frozen_stages: int = -1,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 norm_eval: bool = False,
                 init_cfg: Optional[Union[dict, List[dict]]] = DEFAULT_INIT_CFG) -> None:
        super().__init__(frozen_stages=frozen_stages, norm_eval=norm_eval, init_cfg=init_cfg)
        num_layers = len(self.arch_settings) + 1
        check_positive(widen_factor, f'{type(self).__name__}: widen_factor')
        if not -1 <= frozen_stages <= num_layers:
            raise ValueError(f'frozen_stages must be in -1..{num_layers}, got {frozen_stages}')
        self.widen_factor = widen_factor
        self.out_indices = normalize_out_indices(out_indices, num_layers)

        in_channels = int(32 * widen_factor)
        self.stem = ConvModule(3, in_channels, 3, stride=2, padding=1, conv_cfg=conv_cfg,
                               norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.layers = nn.ModuleList()
        self.out_channels = []
        for ratio, channels, num_blocks, first_stride in self.arch_settings:
            out_channels = int(channels * widen_factor)
            blocks = []
            for block_index in range(num_blocks):
                blocks.append(CIFARInvertedResidual(
                    in_channels, out_channels, first_stride if block_index == 0 else 1,
                    expand_ratio if ratio is None else ratio,
                    conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg))
                in_channels = out_channels
            self.layers.append(nn.Sequential(*blocks))
            self.out_channels.append(out_channels)
        last_channels = int(1280 * widen_factor) if widen_factor > 1.0 else 1280
        self.layers.append(ConvModule(in_channels, last_channels, 1, conv_cfg=conv_cfg,
                                      norm_cfg=norm_cfg, act_cfg=act_cfg))
        self.out_channels.append(last_channels)
        self._freeze_stages()

    def _frozen_modules(self) -> List[nn.Module]:
        if self.frozen_stages < 0:
            return []
        return [self.stem] + list(self.layers[:self.frozen_stages])

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Return the outputs named by ``out_indices``, each ``(B, C_i, H_i, W_i)``."""
        return tuple(self._run_stages(self.stem(x), self.layers))
