"""An ensemble of student projectors (PEFD, "Improved Feature Distillation via Projector Ensemble")."""
import warnings
from typing import List, Optional

import torch
import torch.nn as nn
from torch import Tensor

from ..registry import MODELS
from .base import BaseConnector, ConnectorOutput
from .projector import Projector


@MODELS.register_module()
class ProjectorEnsemble(BaseConnector):
    """``q`` independently initialised projectors whose ReLU outputs are averaged.

    Each projector is a linear map ``Cs → Ct`` with bias followed by a ReLU. Vectors ``(B, Cs)`` (the
    paper's setting: the pooled penultimate feature) go through it as ``Linear(Cs, Ct)``; feature maps
    ``(B, Cs, H, W)`` go through the same weights as a 1×1 convolution (our extension to dense tasks,
    which the papers did not evaluate). The student output is ``mean_i ReLU(P_i s)``: the ReLU is applied
    to every projector's output *before* averaging, as in the paper. The teacher feature is passed
    through raw (no projector, no normalisation).

    The ensemble only helps if its members differ, so :meth:`init_weights` checks that no two
    projectors share the same weights after MMEngine's initialisation (a ``Constant`` ``init_cfg``, for
    instance, would make them identical) and re-draws the duplicates with PyTorch's default init, with
    a warning.

    Args:
        student_channels (int): Cs, the student feature width.
        teacher_channels (int): Ct, the teacher feature width (the output width).
        num_projectors (int): q, the number of projectors. Defaults to 3 (the paper's choice).
        init_cfg (dict, optional): MMEngine initialisation config. ``None`` keeps PyTorch's default
            (Kaiming-uniform) init, which gives every projector its own random draw.
    """

    def __init__(self,
                 student_channels: int,
                 teacher_channels: int,
                 num_projectors: int = 3,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_projectors < 1:
            raise ValueError(f'ProjectorEnsemble needs num_projectors >= 1, got {num_projectors}')
        self.student_channels = student_channels
        self.teacher_channels = teacher_channels
        self.num_projectors = num_projectors
        # Built one after the other, so each draws its own weights from the global RNG.
        self.projectors = nn.ModuleList(
            Projector(student_channels, teacher_channels, bias=True, act=True)
            for _ in range(num_projectors))

    def init_weights(self) -> None:
        """Run MMEngine's initialisation, then make sure the projectors still differ."""
        super().init_weights()
        self._redraw_duplicates()

    def _redraw_duplicates(self) -> None:
        """Re-initialise every projector whose weights equal those of an earlier one."""
        kept: List[Tensor] = []
        redrawn = []
        for i, proj in enumerate(self.projectors):
            conv = proj.proj
            if any(torch.equal(conv.weight, w) for w in kept):
                conv.reset_parameters()  # a fresh draw from the global RNG
                redrawn.append(i)
            kept.append(conv.weight.detach().clone())
        if redrawn:
            warnings.warn(
                f'ProjectorEnsemble: init_cfg={self.init_cfg!r} gave projectors {redrawn} the same '
                'weights as an earlier projector; an ensemble of identical projectors is a single '
                "projector, so they were re-drawn with PyTorch's default init. Use a random init "
                "(e.g. dict(type='Kaiming', layer='Conv2d')) or init_cfg=None.")

    def forward(self, student: Tensor, teacher: Tensor) -> ConnectorOutput:
        """Project the student feature with every projector and average.

        Args:
            student (Tensor): ``(B, Cs)`` or ``(B, Cs, H, W)``.
            teacher (Tensor): ``(B, Ct)`` or ``(B, Ct, H, W)``; returned unchanged.

        Returns:
            tuple: ``(mean_i ReLU(P_i student), teacher, {})``; the first has shape ``(B, Ct)`` or
            ``(B, Ct, H, W)``.
        """
        if student.dim() not in (2, 4):
            raise ValueError('ProjectorEnsemble expects (B, Cs) vectors or (B, Cs, H, W) maps, got '
                             f'shape {tuple(student.shape)}')
        if student.shape[1] != self.student_channels:
            raise ValueError(f'ProjectorEnsemble was built for {self.student_channels} student '
                             f'channels but got shape {tuple(student.shape)}')
        # Projector.project applies the ReLU to each member's output, so this is mean_i ReLU(P_i s).
        outs = [proj.project(student) for proj in self.projectors]
        return torch.stack(outs, dim=0).mean(dim=0), teacher, {}
