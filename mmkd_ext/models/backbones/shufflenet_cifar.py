"""The CIFAR ShuffleNetV1 / ShuffleNetV2 of the CRD model zoo."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmpretrain.registry import MODELS
from torch import Tensor

from .base import DEFAULT_INIT_CFG, StagedBackbone, normalize_out_indices


def channel_shuffle(x: Tensor, groups: int) -> Tensor:
    """Interleave the channels of ``groups`` groups: ``(B, g*c, H, W)`` viewed as ``(B, g, c)``
    and transposed to ``(B, c, g)``, so that the next grouped conv sees every group."""
    if groups == 1:
        return x
    batch, channels, height, width = x.shape
    x = x.view(batch, groups, channels // groups, height, width).transpose(1, 2)
    return x.reshape(batch, channels, height, width)


class ShuffleV1Unit(nn.Module):
    """ShuffleNetV1 unit: grouped 1x1 + BN + ReLU, shuffle, 3x3 depthwise + BN (+ ReLU, see below),
    grouped 1x1 + BN, then add the input (stride 1) or concatenate its 3x3 average pool (stride 2),
    then ReLU.

    Following CRD, the depthwise conv is followed by a ReLU (the paper has none there). The
    channel split for a strided unit means its residual branch produces ``out - in`` channels.

    Args:
        in_channels (int): Input channels.
        branch_channels (int): Output channels of the residual branch (``out_channels`` for
            stride 1, ``out_channels - in_channels`` for stride 2).
        stride (int): 1 or 2.
        groups (int): Groups of the pointwise convs.
        group_first_conv (bool): Whether the first 1x1 conv is grouped; the paper leaves it dense in
            the very first unit, whose input has only 24 channels.
        conv_cfg, norm_cfg (dict, optional): Layer configs passed to ``ConvModule``.

    Shapes:
        ``(B, in_channels, H, W) -> (B, C_out, H / stride, W / stride)`` where ``C_out`` is
        ``branch_channels`` (stride 1) or ``in_channels + branch_channels`` (stride 2).
    """

    def __init__(self, in_channels: int, branch_channels: int, stride: int, groups: int,
                 group_first_conv: bool = True, conv_cfg: Optional[dict] = None,
                 norm_cfg: dict = dict(type='BN')) -> None:
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f'stride must be 1 or 2, got {stride}')
        if stride == 1 and in_channels != branch_channels:
            raise ValueError('a stride-1 unit must keep the width '
                             f'({in_channels} != {branch_channels})')
        mid_channels = branch_channels // 4
        self.stride = stride
        self.first_groups = groups if group_first_conv else 1
        self.conv1 = ConvModule(in_channels, mid_channels, 1, groups=self.first_groups,
                                conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=dict(type='ReLU'))
        self.conv2 = ConvModule(mid_channels, mid_channels, 3, stride=stride, padding=1,
                                groups=mid_channels, conv_cfg=conv_cfg, norm_cfg=norm_cfg,
                                act_cfg=dict(type='ReLU'))
        self.conv3 = ConvModule(mid_channels, branch_channels, 1, groups=groups,
                                conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=None)

    def forward(self, x: Tensor) -> Tensor:
        out = self.conv1(x)
        # Shuffle only what the grouped first conv produced in groups.
        out = channel_shuffle(out, self.first_groups)
        out = self.conv3(self.conv2(out))
        if self.stride == 2:
            out = torch.cat([out, F.avg_pool2d(x, 3, stride=2, padding=1)], dim=1)
        else:
            out = out + x
        return F.relu(out)


@MODELS.register_module()
class CIFARShuffleNetV1(StagedBackbone):
    """ShuffleNetV1 for 32x32 CIFAR images, as in the CRD (Tian et al., ICLR 2020) model zoo.

    A 1x1 stem conv to 24 channels (+ BN + ReLU, stride 1, no max-pool), then three stages of 4, 8 and
    4 units whose first unit has stride 2 (total stride 8: a 32x32 image gives a 4x4 final map). The
    CRD "ShuffleNetV1" is ``groups=3`` with stage widths 240, 480, 960 (0.95M parameters with a
    100-class linear head). Stage widths per group count::

        groups 1: 144, 288, 576    groups 2: 200, 400, 800    groups 3: 240, 480, 960

    (The paper's 4- and 8-group widths are not offered: with this layout the bottleneck of the very
    first unit, ``(272 - 24) / 4`` or ``(384 - 24) / 4`` channels, is not divisible by the groups.)

    Output ``i`` (``i`` in 0..2) is the post-ReLU output of stage ``i``; the default
    ``out_indices=(2,)`` is the final map before pooling (the penultimate feature).

    Args:
        groups (int): Groups of the pointwise convs, one of 1, 2, 3. Defaults to 3.
        out_indices (Sequence[int]): Stages whose outputs to return. Defaults to ``(2,)``.
        frozen_stages (int): ``0`` freezes the stem, ``k > 0`` the stem and stages ``0..k-1``;
            ``-1`` freezes nothing. Defaults to -1.
        conv_cfg (dict, optional): Config of the conv layers.
        norm_cfg (dict): Config of the norm layers. Defaults to ``dict(type='BN')``.
        norm_eval (bool): Keep the BatchNorms in eval mode while training. Defaults to False.
        init_cfg (dict | list[dict], optional): Initialisation config.

    Shapes:
        Input ``(B, 3, H, W)``; output ``i`` is ``(B, widths[i], H / 2**(i+1), W / 2**(i+1))``.
    """

    arch_zoo: Dict[int, Tuple[int, int, int]] = {
        1: (144, 288, 576), 2: (200, 400, 800), 3: (240, 480, 960)}
    stage_blocks = (4, 8, 4)
    stem_channels = 24

    def __init__(self,
                 groups: int = 3,
                 out_indices: Union[int, Sequence[int]] = (2,),
                 frozen_stages: int = -1,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: dict = dict(type='BN'),
                 norm_eval: bool = False,
                 init_cfg: Optional[Union[dict, List[dict]]] = DEFAULT_INIT_CFG) -> None:
        super().__init__(frozen_stages=frozen_stages, norm_eval=norm_eval, init_cfg=init_cfg)
        if groups not in self.arch_zoo:
            raise ValueError(f'groups must be one of {sorted(self.arch_zoo)}, got {groups}')
        num_stages = len(self.stage_blocks)
        if not -1 <= frozen_stages <= num_stages:
            raise ValueError(f'frozen_stages must be in -1..{num_stages}, got {frozen_stages}')
        self.groups = groups
        self.out_indices = normalize_out_indices(out_indices, num_stages)

        self.stem = ConvModule(3, self.stem_channels, 1, conv_cfg=conv_cfg, norm_cfg=norm_cfg,
                               act_cfg=dict(type='ReLU'))
        self.stages = nn.ModuleList()
        in_channels = self.stem_channels
        for stage_index, (out_channels, num_blocks) in enumerate(
                zip(self.arch_zoo[groups], self.stage_blocks)):
            units = []
            for block_index in range(num_blocks):
                if block_index == 0:
                    # The strided unit concatenates its pooled input, so its branch only adds the
                    # missing channels.
                    units.append(ShuffleV1Unit(
                        in_channels, out_channels - in_channels, stride=2, groups=groups,
                        group_first_conv=stage_index > 0, conv_cfg=conv_cfg, norm_cfg=norm_cfg))
                else:
                    units.append(ShuffleV1Unit(out_channels, out_channels, stride=1, groups=groups,
                                               conv_cfg=conv_cfg, norm_cfg=norm_cfg))
                in_channels = out_channels
            self.stages.append(nn.Sequential(*units))
        self.out_channels = list(self.arch_zoo[groups])
        self._freeze_stages()

    def _frozen_modules(self) -> List[nn.Module]:
        if self.frozen_stages < 0:
            return []
        return [self.stem] + list(self.stages[:self.frozen_stages])

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Return the stage outputs named by ``out_indices``, each ``(B, C_i, H_i, W_i)``."""
        return tuple(self._run_stages(self.stem(x), self.stages))


class ShuffleV2DownUnit(nn.Module):
    """Strided ShuffleNetV2 unit: two branches on the full input, concatenated, then shuffled.

    Left branch: 3x3 depthwise stride 2 + BN, 1x1 + BN + ReLU. Right branch: 1x1 + BN + ReLU,
    3x3 depthwise stride 2 + BN, 1x1 + BN + ReLU. Each branch gives ``out_channels // 2`` channels.

    Shapes:
        ``(B, in_channels, H, W) -> (B, out_channels, H / 2, W / 2)``
    """

    def __init__(self, in_channels: int, out_channels: int, conv_cfg: Optional[dict] = None,
                 norm_cfg: dict = dict(type='BN')) -> None:
        super().__init__()
        mid = out_channels // 2
        relu = dict(type='ReLU')
        self.left = nn.Sequential(
            ConvModule(in_channels, in_channels, 3, stride=2, padding=1, groups=in_channels,
                       conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=None),
            ConvModule(in_channels, mid, 1, conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=relu))
        self.right = nn.Sequential(
            ConvModule(in_channels, mid, 1, conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=relu),
            ConvModule(mid, mid, 3, stride=2, padding=1, groups=mid, conv_cfg=conv_cfg,
                       norm_cfg=norm_cfg, act_cfg=None),
            ConvModule(mid, mid, 1, conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=relu))

    def forward(self, x: Tensor) -> Tensor:
        return channel_shuffle(torch.cat([self.left(x), self.right(x)], dim=1), 2)


class ShuffleV2Unit(nn.Module):
    """Basic ShuffleNetV2 unit: split the channels in halves, transform the second half
    (1x1 + BN + ReLU, 3x3 depthwise + BN, 1x1 + BN + ReLU), concatenate with the first, shuffle.

    Shapes:
        ``(B, channels, H, W) -> (B, channels, H, W)``
    """

    def __init__(self, channels: int, conv_cfg: Optional[dict] = None,
                 norm_cfg: dict = dict(type='BN')) -> None:
        super().__init__()
        half = channels // 2
        self.split = half
        relu = dict(type='ReLU')
        self.branch = nn.Sequential(
            ConvModule(channels - half, channels - half, 1, conv_cfg=conv_cfg, norm_cfg=norm_cfg,
                       act_cfg=relu),
            ConvModule(channels - half, channels - half, 3, padding=1, groups=channels - half,
                       conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=None),
            ConvModule(channels - half, channels - half, 1, conv_cfg=conv_cfg, norm_cfg=norm_cfg,
                       act_cfg=relu))

    def forward(self, x: Tensor) -> Tensor:
        kept, transformed = x[:, :self.split], x[:, self.split:]
        return channel_shuffle(torch.cat([kept, self.branch(transformed)], dim=1), 2)


@MODELS.register_module()
class CIFARShuffleNetV2(StagedBackbone):
    """ShuffleNetV2 for 32x32 CIFAR images, as in the CRD (Tian et al., ICLR 2020) model zoo.

    A 3x3 stride-1 stem conv to 24 channels (+ BN + ReLU, no max-pool), three stages of one strided
    unit followed by 3, 7 and 3 basic units (total stride 8), then a 1x1 conv + BN + ReLU. The CRD
    "ShuffleNetV2" is ``widen_factor=1`` (the paper's "1x", 1.36M parameters with a 100-class
    linear head). Widths (stage 0, 1, 2, final conv)::

        0.5: 48, 96, 192, 1024     1.0: 116, 232, 464, 1024
        1.5: 176, 352, 704, 1024   2.0: 224, 488, 976, 2048

    Outputs 0..2 are the stage outputs and 3 the post-ReLU final conv; the default
    ``out_indices=(3,)`` is the final map before pooling (the penultimate feature, 1024 channels
    at 4x4 for a 32x32 input). Stage outputs end in a channel shuffle of partly activated channels.

    Args:
        widen_factor (float): The net size, one of 0.5, 1.0, 1.5, 2.0. Defaults to 1.0.
        out_indices (Sequence[int]): Outputs to return, in ``0..3``. Defaults to ``(3,)``.
        frozen_stages (int): ``0`` freezes the stem, ``k > 0`` the stem and layers ``0..k-1``;
            ``-1`` freezes nothing. Defaults to -1.
        conv_cfg (dict, optional): Config of the conv layers.
        norm_cfg (dict): Config of the norm layers. Defaults to ``dict(type='BN')``.
        norm_eval (bool): Keep the BatchNorms in eval mode while training. Defaults to False.
        init_cfg (dict | list[dict], optional): Initialisation config.

    Shapes:
        Input ``(B, 3, H, W)``; output ``i < 3`` is ``(B, widths[i], H / 2**(i+1), W / 2**(i+1))``,
        output 3 is ``(B, widths[3], H / 8, W / 8)``.
    """

    arch_zoo: Dict[float, Tuple[int, int, int, int]] = {
        0.5: (48, 96, 192, 1024), 1.0: (116, 232, 464, 1024), 1.5: (176, 352, 704, 1024),
        2.0: (224, 488, 976, 2048)}
    # Basic units after the strided unit of each stage (4, 8, 4 units in all).
    stage_blocks = (3, 7, 3)
    stem_channels = 24

    def __init__(self,
                 widen_factor: float = 1.0,
                 out_indices: Union[int, Sequence[int]] = (3,),
                 frozen_stages: int = -1,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: dict = dict(type='BN'),
                 norm_eval: bool = False,
                 init_cfg: Optional[Union[dict, List[dict]]] = DEFAULT_INIT_CFG) -> None:
        super().__init__(frozen_stages=frozen_stages, norm_eval=norm_eval, init_cfg=init_cfg)
        widen_factor = float(widen_factor)
        if widen_factor not in self.arch_zoo:
            raise ValueError(f'widen_factor must be one of {sorted(self.arch_zoo)}, '
                             f'got {widen_factor}')
        num_layers = len(self.stage_blocks) + 1
        if not -1 <= frozen_stages <= num_layers:
            raise ValueError(f'frozen_stages must be in -1..{num_layers}, got {frozen_stages}')
        self.widen_factor = widen_factor
        self.out_indices = normalize_out_indices(out_indices, num_layers)
        widths = self.arch_zoo[widen_factor]

        self.stem = ConvModule(3, self.stem_channels, 3, padding=1, conv_cfg=conv_cfg,
                               norm_cfg=norm_cfg, act_cfg=dict(type='ReLU'))
        self.layers = nn.ModuleList()
        in_channels = self.stem_channels
        for out_channels, num_blocks in zip(widths[:3], self.stage_blocks):
            units = [ShuffleV2DownUnit(in_channels, out_channels, conv_cfg=conv_cfg,
                                       norm_cfg=norm_cfg)]
            units += [ShuffleV2Unit(out_channels, conv_cfg=conv_cfg, norm_cfg=norm_cfg)
                      for _ in range(num_blocks)]
            self.layers.append(nn.Sequential(*units))
            in_channels = out_channels
        self.layers.append(ConvModule(in_channels, widths[3], 1, conv_cfg=conv_cfg,
                                      norm_cfg=norm_cfg, act_cfg=dict(type='ReLU')))
        self.out_channels = list(widths)
        self._freeze_stages()

    def _frozen_modules(self) -> List[nn.Module]:
        if self.frozen_stages < 0:
            return []
        return [self.stem] + list(self.layers[:self.frozen_stages])

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Return the outputs named by ``out_indices``, each ``(B, C_i, H_i, W_i)``."""
        return tuple(self._run_stages(self.stem(x), self.layers))
