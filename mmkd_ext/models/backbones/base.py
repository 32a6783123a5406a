"""Behaviour shared by the backbones of this package: ``out_indices``, ``frozen_stages``, ``norm_eval``.

Every backbone here is a chain of indexed stages. The subclasses only say which modules the first
``frozen_stages`` stages consist of; freezing and keeping the norm layers in eval mode work the same way
for all of them, as in mmpretrain's own backbones.
"""
from typing import Iterable, List, Optional, Sequence, Tuple, Union

import torch.nn as nn
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm

# Kaiming (fan_out, ReLU) for convolutions and unit-scale norms: the initialisation of the CRD model
# zoo and of mmpretrain's ResNets. Linear layers belong to the head, which initialises itself.
DEFAULT_INIT_CFG = [
    dict(type='Kaiming', layer=['Conv2d']),
    dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm']),
]


def normalize_out_indices(out_indices: Union[int, Sequence[int]], num_outputs: int) -> Tuple[int, ...]:
    """Turn ``out_indices`` into a sorted tuple of non-negative indices.

    Args:
        out_indices (int | Sequence[int]): Indices of the outputs to return; negative values count
            from the end (``-1`` is the last output).
        num_outputs (int): How many indexable outputs the backbone has.

    Returns:
        tuple[int]: The normalised indices, in ascending order (the order of the returned features).
    """
    if isinstance(out_indices, int):
        out_indices = [out_indices]
    if len(out_indices) == 0:
        raise ValueError('out_indices must name at least one output')
    normalized = []
    for index in out_indices:
        if not -num_outputs <= index < num_outputs:
            raise ValueError(f'out_index {index} is out of range for {num_outputs} outputs '
                             f'(valid: {-num_outputs} .. {num_outputs - 1})')
        normalized.append(index % num_outputs)
    return tuple(sorted(set(normalized)))


class StagedBackbone(BaseBackbone):
    """Base class handling frozen stages and ``norm_eval`` for the backbones of this package.

    Args:
        frozen_stages (int): Stages to freeze (eval mode, ``requires_grad=False``); ``-1`` freezes
            nothing. What a stage is depends on the subclass, see :meth:`_frozen_modules`.
        norm_eval (bool): Keep every BatchNorm in eval mode during training, so that its running
            statistics stay those of the (pre-trained) checkpoint. Typical for a frozen teacher.
        init_cfg (dict | list[dict], optional): MMEngine initialisation config.
    """

    def __init__(self, frozen_stages: int = -1, norm_eval: bool = False,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval

    def _frozen_modules(self) -> List[nn.Module]:
        """The modules that ``frozen_stages`` covers; subclasses override it."""
        return []

    def _run_stages(self, x: Tensor, stages: Iterable[nn.Module],
                    first_index: int = 0) -> List[Tensor]:
        """Run ``stages`` in order on ``x``; keep the outputs whose index is in ``out_indices``.

        Args:
            x (Tensor): Input of the first stage, ``(B, C, H, W)``.
            stages (Iterable[nn.Module]): The stages, in order.
            first_index (int): The ``out_indices`` index of the first stage (1 when the stem
                itself is index 0).

        Returns:
            list[Tensor]: The kept outputs, each ``(B, C_i, H_i, W_i)``.
        """
        outs = []
        for index, stage in enumerate(stages, start=first_index):
            x = stage(x)
            if index in self.out_indices:
                outs.append(x)
        return outs

    def _freeze_stages(self) -> None:
        for module in self._frozen_modules():
            module.eval()
            for param in module.parameters():
                param.requires_grad = False

    def train(self, mode: bool = True) -> 'StagedBackbone':
        """Switch the training mode, keeping frozen stages and (if ``norm_eval``) norms in eval mode."""
        super().train(mode)
        # Re-applied on every call because ``model.train()`` would otherwise flip the frozen
        # stages' BatchNorms back to training mode and update their running statistics.
        self._freeze_stages()
        if mode and self.norm_eval:
            for module in self.modules():
                if isinstance(module, _BatchNorm):
                    module.eval()
        return self
