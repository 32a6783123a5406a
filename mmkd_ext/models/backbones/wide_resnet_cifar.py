"""Wide ResNets for CIFAR (Zagoruyko & Komodakis, 2016), as used by the CRD model zoo."""
import re
from typing import List, Optional, Sequence, Tuple, Union

import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_conv_layer, build_norm_layer
from mmpretrain.registry import MODELS
from torch import Tensor

from .base import DEFAULT_INIT_CFG, StagedBackbone, normalize_out_indices


class PreActBasicBlock(nn.Module):
    """Pre-activation basic block of WRN: BN-ReLU-conv3x3, BN-ReLU-(dropout)-conv3x3, add.

    When the width or the stride changes, the shortcut is a strided 1x1 conv applied to the
    *activated* input (BN-ReLU of ``x``), as in the reference WRN code; otherwise it is ``x`` itself.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Stride of the first conv and of the projection shortcut.
        drop_rate (float): Dropout probability between the two convs (0 disables it).
        conv_cfg, norm_cfg (dict, optional): Layer configs.

    Shapes:
        ``(B, in_channels, H, W) -> (B, out_channels, H / stride, W / stride)``; the output is the
        raw sum (not activated): the next block, or the network's final BN-ReLU, activates it.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1, drop_rate: float = 0.0,
                 conv_cfg: Optional[dict] = None, norm_cfg: dict = dict(type='BN')) -> None:
        super().__init__()
        self.norm1_name, norm1 = build_norm_layer(norm_cfg, in_channels, postfix=1)
        self.add_module(self.norm1_name, norm1)
        self.conv1 = build_conv_layer(conv_cfg, in_channels, out_channels, 3, stride=stride,
                                      padding=1, bias=False)
        self.norm2_name, norm2 = build_norm_layer(norm_cfg, out_channels, postfix=2)
        self.add_module(self.norm2_name, norm2)
        self.conv2 = build_conv_layer(conv_cfg, out_channels, out_channels, 3, padding=1, bias=False)
        self.shortcut = None
        if stride != 1 or in_channels != out_channels:
            self.shortcut = build_conv_layer(conv_cfg, in_channels, out_channels, 1, stride=stride,
                                             bias=False)
        self.drop_rate = drop_rate

    @property
    def norm1(self) -> nn.Module:
        return getattr(self, self.norm1_name)

    @property
    def norm2(self) -> nn.Module:
        return getattr(self, self.norm2_name)

    def forward(self, x: Tensor) -> Tensor:
        # Not in place: ``x`` itself is still needed by the identity shortcut.
        activated = F.relu(self.norm1(x))
        identity = x if self.shortcut is None else self.shortcut(activated)
        out = F.relu(self.norm2(self.conv1(activated)))
        if self.drop_rate > 0:
            out = F.dropout(out, p=self.drop_rate, training=self.training)
        return self.conv2(out) + identity


@MODELS.register_module()
class CIFARWideResNet(StagedBackbone):
    """Wide ResNet WRN-d-k for 32x32 CIFAR images.

    A 3x3 stem conv with 16 channels, then three stages of ``n = (depth - 4) / 6`` pre-activation basic
    blocks with widths ``16k, 32k, 64k`` and strides 1, 2, 2, then a final BN + ReLU. CRD zoo members
    (parameters with a 100-class linear head): WRN-16-2 0.70M, WRN-40-1 0.57M, WRN-40-2 2.26M.

    Because the blocks are pre-activation, the raw output of a stage is not activated. Output ``i``
    (``i`` in 0..2) is that raw output for stages 0 and 1; for the last stage it is taken after the
    final BN + ReLU, so the default ``out_indices=(2,)`` returns the post-ReLU map that is pooled into
    the classifier (the penultimate feature, ``64k`` channels).

    Args:
        depth (int): Total depth ``d = 6n + 4``. Defaults to 40.
        widen_factor (int): The widening factor ``k``. Defaults to 2.
        arch (str, optional): A name ``'wrn_<depth>_<k>'`` (e.g. ``'wrn_40_2'``); when given it
            overrides ``depth`` and ``widen_factor``.
        drop_rate (float): Dropout inside the blocks. Defaults to 0 (as in the CRD zoo).
        out_indices (Sequence[int]): Stages whose outputs to return. Defaults to ``(2,)``.
        frozen_stages (int): ``0`` freezes the stem conv, ``k > 0`` the stem and stages ``0..k-1``
            (``3`` also freezes the final BN); ``-1`` freezes nothing.
        conv_cfg (dict, optional): Config of the conv layers.
        norm_cfg (dict): Config of the norm layers. Defaults to ``dict(type='BN')``.
        norm_eval (bool): Keep the BatchNorms in eval mode while training. Defaults to False.
        init_cfg (dict | list[dict], optional): Initialisation config.

    Shapes:
        Input ``(B, 3, H, W)``; output ``i`` is ``(B, (16, 32, 64)[i] * k, H / 2**i, W / 2**i)``.
    """

    num_stages = 3

    def __init__(self,
                 depth: int = 40,
                 widen_factor: int = 2,
                 arch: Optional[str] = None,
                 drop_rate: float = 0.0,
                 out_indices: Union[int, Sequence[int]] = (2,),
                 frozen_stages: int = -1,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: dict = dict(type='BN'),
                 norm_eval: bool = False,
                 init_cfg: Optional[Union[dict, List[dict]]] = DEFAULT_INIT_CFG) -> None:
        super().__init__(frozen_stages=frozen_stages, norm_eval=norm_eval, init_cfg=init_cfg)
        if arch is not None:
            match = re.fullmatch(r'wrn[_-](\d+)[_-](\d+)', arch.lower())
            if match is None:
                raise ValueError(f"arch must look like 'wrn_40_2', got {arch!r}")
            depth, widen_factor = int(match.group(1)), int(match.group(2))
        if (depth - 4) % 6 != 0 or depth < 10:
            raise ValueError(f'depth must be 6n + 4 with n >= 1, got {depth}')
        if widen_factor < 1:
            raise ValueError(f'widen_factor must be >= 1, got {widen_factor}')
        if not -1 <= frozen_stages <= self.num_stages:
            raise ValueError(f'frozen_stages must be in -1..{self.num_stages}, got {frozen_stages}')
        self.depth = depth
        self.widen_factor = widen_factor
        self.out_indices = normalize_out_indices(out_indices, self.num_stages)
        blocks_per_stage = (depth - 4) // 6
        widths = [16 * widen_factor, 32 * widen_factor, 64 * widen_factor]

        # The stem is a bare conv: the first block's BN-ReLU activates it.
        self.stem = build_conv_layer(conv_cfg, 3, 16, 3, padding=1, bias=False)
        self.stages = nn.ModuleList()
        in_channels = 16
        for stage_index, out_channels in enumerate(widths):
            first_stride = 1 if stage_index == 0 else 2
            blocks = []
            for block_index in range(blocks_per_stage):
                blocks.append(PreActBasicBlock(in_channels, out_channels,
                                               stride=first_stride if block_index == 0 else 1,
                                               drop_rate=drop_rate, conv_cfg=conv_cfg,
                                               norm_cfg=norm_cfg))
                in_channels = out_channels
            self.stages.append(nn.Sequential(*blocks))
        self.final_norm_name, final_norm = build_norm_layer(norm_cfg, in_channels, postfix='_final')
        self.add_module(self.final_norm_name, final_norm)
        self.out_channels = widths
        self._freeze_stages()

    @property
    def final_norm(self) -> nn.Module:
        return getattr(self, self.final_norm_name)

    def _frozen_modules(self) -> List[nn.Module]:
        if self.frozen_stages < 0:
            return []
        modules = [self.stem] + list(self.stages[:self.frozen_stages])
        if self.frozen_stages == self.num_stages:
            modules.append(self.final_norm)
        return modules

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Return the stage outputs named by ``out_indices``, each ``(B, C_i, H_i, W_i)``."""
        x = self.stem(x)
        outs = []
        for index, stage in enumerate(self.stages):
            x = stage(x)
            if index == self.num_stages - 1:
                x = F.relu(self.final_norm(x))
            if index in self.out_indices:
                outs.append(x)
        return tuple(outs)
