"""The CIFAR ResNets of the CRD model zoo (resnet8 .. resnet110, resnet8x4, resnet32x4)."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch.nn as nn
from mmcv.cnn import ConvModule
from mmpretrain.registry import MODELS
from torch import Tensor

from .base import DEFAULT_INIT_CFG, StagedBackbone, normalize_out_indices


class CIFARBasicBlock(nn.Module):
    """Post-activation basic block: conv3x3-BN-ReLU, conv3x3-BN, add the shortcut, ReLU.

    The shortcut is the identity, or a strided 1x1 conv + BN when the stride or the width changes
    (option B of He et al.; the CRD zoo uses it instead of the zero-padding option A).

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Stride of the first conv and of the projection shortcut.
        conv_cfg, norm_cfg (dict, optional): Layer configs passed to ``ConvModule``.

    Shapes:
        ``(B, in_channels, H, W) -> (B, out_channels, H / stride, W / stride)``
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1,
                 conv_cfg: Optional[dict] = None, norm_cfg: dict = dict(type='BN')) -> None:
        super().__init__()
        self.conv1 = ConvModule(in_channels, out_channels, 3, stride=stride, padding=1,
                                conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=dict(type='ReLU'))
        # No activation here: the ReLU comes after the residual addition.
        self.conv2 = ConvModule(out_channels, out_channels, 3, padding=1, conv_cfg=conv_cfg,
                                norm_cfg=norm_cfg, act_cfg=None)
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = ConvModule(in_channels, out_channels, 1, stride=stride,
                                         conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=None)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.conv2(self.conv1(x))
        return self.relu(out + identity)


@MODELS.register_module()
class CIFARResNet(StagedBackbone):
    """ResNet for 32x32 CIFAR images, as in the CRD (Tian et al., ICLR 2020) model zoo.

    A 3x3 stride-1 stem conv (no max-pool) followed by three stages of ``n = (depth - 2) / 6`` basic
    blocks with strides 1, 2, 2, so a 32x32 image gives 32, 16 and 8 pixel maps (total stride 4).
    ``widths = (stem, stage1, stage2, stage3)``:

    ============  =====  ===================  =========================
    arch          depth  widths               params (100-class head)
    ============  =====  ===================  =========================
    resnet8       8      16, 16, 32, 64       0.08M
    resnet14      14     16, 16, 32, 64       0.18M
    resnet20      20     16, 16, 32, 64       0.28M
    resnet32      32     16, 16, 32, 64       0.47M
    resnet44      44     16, 16, 32, 64       0.67M
    resnet56      56     16, 16, 32, 64       0.86M
    resnet110     110    16, 16, 32, 64       1.74M
    resnet8x4     8      32, 64, 128, 256     1.23M
    resnet32x4    32     32, 64, 128, 256     7.43M
    ============  =====  ===================  =========================

    In the ``x4`` variants the stem (32) is narrower than the first stage (64), so the first block of
    stage 1 has a 1x1 projection shortcut although its stride is 1.

    Output ``i`` (``i`` in 0..2) is the post-ReLU output of stage ``i``; the default
    ``out_indices=(2,)`` is the final map before pooling (the penultimate feature), with
    ``widths[3]`` channels.

    Args:
        arch (str | dict): A preset name from the table, or ``dict(depth=..., widths=(...))`` with
            ``depth = 6n + 2`` and four widths. Defaults to ``'resnet20'``.
        out_indices (Sequence[int]): Stages whose outputs to return. Defaults to ``(2,)``.
        frozen_stages (int): ``0`` freezes the stem, ``k > 0`` the stem and stages ``0..k-1``;
            ``-1`` freezes nothing. Defaults to -1.
        conv_cfg (dict, optional): Config of the conv layers.
        norm_cfg (dict): Config of the norm layers. Defaults to ``dict(type='BN')``.
        norm_eval (bool): Keep the BatchNorms in eval mode while training. Defaults to False.
        zero_init_residual (bool): Zero the last BN of every block so each block starts as the
            identity. Off by default, as in the CRD zoo.
        init_cfg (dict | list[dict], optional): Initialisation config.

    Shapes:
        Input ``(B, 3, H, W)``; output ``i`` is ``(B, widths[i + 1], H / 2**i, W / 2**i)``.
    """

    arch_zoo: Dict[str, Tuple[int, Tuple[int, int, int, int]]] = {
        'resnet8': (8, (16, 16, 32, 64)),
        'resnet14': (14, (16, 16, 32, 64)),
        'resnet20': (20, (16, 16, 32, 64)),
        'resnet32': (32, (16, 16, 32, 64)),
        'resnet44': (44, (16, 16, 32, 64)),
        'resnet56': (56, (16, 16, 32, 64)),
        'resnet110': (110, (16, 16, 32, 64)),
        'resnet8x4': (8, (32, 64, 128, 256)),
        'resnet32x4': (32, (32, 64, 128, 256)),
    }
    num_stages = 3

    def __init__(self,
                 arch: Union[str, dict] = 'resnet20',
                 out_indices: Union[int, Sequence[int]] = (2,),
                 frozen_stages: int = -1,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: dict = dict(type='BN'),
                 norm_eval: bool = False,
                 zero_init_residual: bool = False,
                 init_cfg: Optional[Union[dict, List[dict]]] = DEFAULT_INIT_CFG) -> None:
        super().__init__(frozen_stages=frozen_stages, norm_eval=norm_eval, init_cfg=init_cfg)
        if isinstance(arch, str):
            if arch not in self.arch_zoo:
                raise KeyError(f'Unknown arch {arch!r}; choose from {sorted(self.arch_zoo)} '
                               'or pass dict(depth=..., widths=...)')
            depth, widths = self.arch_zoo[arch]
        else:
            depth, widths = arch['depth'], tuple(arch['widths'])
        if (depth - 2) % 6 != 0 or depth < 8:
            raise ValueError(f'depth must be 6n + 2 with n >= 1, got {depth}')
        if len(widths) != self.num_stages + 1:
            raise ValueError(f'widths must have {self.num_stages + 1} entries (stem + 3 stages), '
                             f'got {widths}')
        if not -1 <= frozen_stages <= self.num_stages:
            raise ValueError(f'frozen_stages must be in -1..{self.num_stages}, got {frozen_stages}')
        self.depth = depth
        self.widths = widths
        self.zero_init_residual = zero_init_residual
        self.out_indices = normalize_out_indices(out_indices, self.num_stages)
        blocks_per_stage = (depth - 2) // 6

        self.stem = ConvModule(3, widths[0], 3, padding=1, conv_cfg=conv_cfg, norm_cfg=norm_cfg,
                               act_cfg=dict(type='ReLU'))
        self.stages = nn.ModuleList()
        in_channels = widths[0]
        for stage_index, out_channels in enumerate(widths[1:]):
            first_stride = 1 if stage_index == 0 else 2
            blocks = []
            for block_index in range(blocks_per_stage):
                blocks.append(CIFARBasicBlock(in_channels, out_channels,
                                              stride=first_stride if block_index == 0 else 1,
                                              conv_cfg=conv_cfg, norm_cfg=norm_cfg))
                in_channels = out_channels
            self.stages.append(nn.Sequential(*blocks))
        self.out_channels = list(widths[1:])
        self._freeze_stages()

    def init_weights(self) -> None:
        super().init_weights()
        if self.zero_init_residual:
            for module in self.modules():
                if isinstance(module, CIFARBasicBlock):
                    nn.init.zeros_(module.conv2.norm.weight)

    def _frozen_modules(self) -> List[nn.Module]:
        if self.frozen_stages < 0:
            return []
        return [self.stem] + list(self.stages[:self.frozen_stages])

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Return the stage outputs named by ``out_indices``, each ``(B, C_i, H_i, W_i)``."""
        return tuple(self._run_stages(self.stem(x), self.stages))
