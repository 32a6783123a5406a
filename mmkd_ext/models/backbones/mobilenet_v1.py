"""MobileNetV1 (Howard et al., 2017) for 224x224 ImageNet as an mmpretrain backbone."""
from typing import List, Optional, Sequence, Tuple, Union

import torch.nn as nn
from mmcv.cnn import ConvModule
from mmpretrain.registry import MODELS
from torch import Tensor

from ...utils.errors import check_positive
from .base import DEFAULT_INIT_CFG, StagedBackbone, normalize_out_indices


class DepthwiseSeparableConv(nn.Module):
    """A depthwise 3x3 conv + norm + act followed by a pointwise 1x1 conv + norm + act.

    Args:
        in_channels (int): Input channels (also the depthwise conv's width).
        out_channels (int): Output channels of the pointwise conv.
        stride (int): Stride of the depthwise conv (the pointwise conv never strides).
        conv_cfg, norm_cfg, act_cfg (dict, optional): Layer configs passed to ``ConvModule``.

    Shapes:
        ``(B, in_channels, H, W) -> (B, out_channels, ceil(H / stride), ceil(W / stride))``
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int,
                 conv_cfg: Optional[dict] = None, norm_cfg: Optional[dict] = dict(type='BN'),
                 act_cfg: Optional[dict] = dict(type='ReLU')) -> None:
        super().__init__()
        self.depthwise = ConvModule(in_channels, in_channels, 3, stride=stride, padding=1,
                                    groups=in_channels, conv_cfg=conv_cfg, norm_cfg=norm_cfg,
                                    act_cfg=act_cfg)
        self.pointwise = ConvModule(in_channels, out_channels, 1, conv_cfg=conv_cfg,
                                    norm_cfg=norm_cfg, act_cfg=act_cfg)

    def forward(self, x: Tensor) -> Tensor:
        return self.pointwise(self.depthwise(x))


@MODELS.register_module()
class MobileNetV1(StagedBackbone):
    """MobileNetV1 backbone (Howard et al., "MobileNets", 2017, Table 1).

    The 28-layer network of the paper for 224x224 inputs (28 = 1 full conv + 13 depthwise + 13
    pointwise convs + the classifier's FC, which lives in the head here). Every conv is followed by
    BatchNorm and ReLU. Layer list (output channels, stride, output size for a 224 input)::

        index  layer                                   channels  stride  output
        0      conv 3x3 (stem)                         32        2       112
        1      dw 3x3 + pw 1x1                         64        1       112
        2      dw 3x3 + pw 1x1                         128       2       56
        3      dw 3x3 + pw 1x1                         128       1       56
        4      dw 3x3 + pw 1x1                         256       2       28
        5      dw 3x3 + pw 1x1                         256       1       28
        6      dw 3x3 + pw 1x1                         512       2       14
        7-11   5 x (dw 3x3 + pw 1x1)                   512       1       14
        12     dw 3x3 + pw 1x1                         1024      2       7
        13     dw 3x3 + pw 1x1                         1024      1       7

    Table 1 of the paper prints "s2" for the last depthwise conv although its input and output are
    both 7x7; that is a typo, block 13 has stride 1 (as in the reference TF-slim implementation).
    The total stride is 32. With global average pooling and a ``Linear(1024, 1000)`` head the model
    has about 4.2M parameters, the figure the paper reports.

    Output ``i`` is the post-ReLU output of layer ``i`` of the table (0 = stem, 1..13 = the
    depthwise-separable blocks), so the default ``out_indices=(13,)`` returns the final 1024-channel
    map before pooling, the feature that distillation methods call the penultimate feature.

    Args:
        widen_factor (float): The width multiplier alpha of the paper. Every layer's width becomes
            ``max(int(channels * widen_factor), 8)`` (the TF-slim rule, so tiny multipliers keep at
            least 8 channels). Defaults to 1.0.
        out_indices (Sequence[int]): Outputs to return, in ``0..13``. Defaults to ``(13,)``.
        frozen_stages (int): Freeze layers ``0..frozen_stages`` (0 = the stem only); -1 freezes none.
        conv_cfg (dict, optional): Config of the conv layers. Defaults to None (``nn.Conv2d``).
        norm_cfg (dict): Config of the norm layers. Defaults to ``dict(type='BN')``.
        act_cfg (dict): Config of the activations. Defaults to ``dict(type='ReLU')``.
        norm_eval (bool): Keep the BatchNorms in eval mode while training. Defaults to False.
        init_cfg (dict | list[dict], optional): Initialisation config.

    Shapes:
        Input ``(B, 3, H, W)``; output ``i`` is ``(B, C_i, H / s_i, W / s_i)`` with ``C_i`` and
        ``s_i`` from the table above (e.g. ``(B, 1024, 7, 7)`` for index 13 and a 224 input).
    """

    # (output channels, stride) of the 13 depthwise-separable blocks, from Table 1 of the paper.
    arch_settings = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
                     (512, 1), (512, 1), (512, 1), (512, 1), (512, 1),
                     (1024, 2), (1024, 1)]
    stem_channels = 32

    def __init__(self,
                 widen_factor: float = 1.0,
                 out_indices: Union[int, Sequence[int]] = (13,),
                 frozen_stages: int = -1,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 norm_eval: bool = False,
                 init_cfg: Optional[Union[dict, List[dict]]] = DEFAULT_INIT_CFG) -> None:
        super().__init__(frozen_stages=frozen_stages, norm_eval=norm_eval, init_cfg=init_cfg)
        check_positive(widen_factor, f'{type(self).__name__}: widen_factor')
        num_layers = len(self.arch_settings) + 1
        if not -1 <= frozen_stages < num_layers:
            raise ValueError(f'frozen_stages must be in -1..{num_layers - 1}, got {frozen_stages}')
        self.widen_factor = widen_factor
        self.out_indices = normalize_out_indices(out_indices, num_layers)

        def width(channels: int) -> int:
            return max(int(channels * widen_factor), 8)

        in_channels = width(self.stem_channels)
        self.stem = ConvModule(3, in_channels, 3, stride=2, padding=1, conv_cfg=conv_cfg,
                               norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.out_channels = [in_channels]
        self.layers = nn.ModuleList()
        for channels, stride in self.arch_settings:
            out_channels = width(channels)
            self.layers.append(DepthwiseSeparableConv(in_channels, out_channels, stride,
                                                      conv_cfg=conv_cfg, norm_cfg=norm_cfg,
                                                      act_cfg=act_cfg))
            self.out_channels.append(out_channels)
            in_channels = out_channels
        self._freeze_stages()

    def _frozen_modules(self) -> List[nn.Module]:
        if self.frozen_stages < 0:
            return []
        return [self.stem] + list(self.layers[:self.frozen_stages])

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Return the outputs named by ``out_indices``, each ``(B, C_i, H_i, W_i)``."""
        x = self.stem(x)
        outs = [x] if 0 in self.out_indices else []  # the stem is index 0
        return tuple(outs + self._run_stages(x, self.layers, first_index=1))
