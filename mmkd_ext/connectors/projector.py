"""A learnable linear map from the student's width to the teacher's."""
from typing import Optional

import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from ..registry import MODELS
from .base import BaseConnector, ConnectorOutput


@MODELS.register_module()
class Projector(BaseConnector):
    """A 1×1 convolution (feature maps) or linear layer (vectors) on the student side.

    One set of weights serves both layouts: a ``(B, Cs, H, W)`` map goes through the 1×1 convolution
    and a ``(B, Cs)`` vector through the same weights used as a linear layer. The teacher feature is
    passed through unchanged.

    Args:
        student_channels (int): Cs, the student feature width.
        teacher_channels (int): Ct, the teacher feature width (the output width).
        bias (bool): Whether the projection has a bias. Defaults to True.
        norm (bool): Append BatchNorm (only for feature maps). Defaults to False.
        act (bool): Append a ReLU. Defaults to False.
        init_cfg (dict, optional): MMEngine initialisation config.
    """

    def __init__(self,
                 student_channels: int,
                 teacher_channels: int,
                 bias: bool = True,
                 norm: bool = False,
                 act: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.student_channels = student_channels
        self.teacher_channels = teacher_channels
        self.proj = nn.Conv2d(student_channels, teacher_channels, 1, bias=bias)
        self.norm = nn.BatchNorm2d(teacher_channels) if norm else None
        self.act = act

    def project(self, x: Tensor) -> Tensor:
        """Project ``(B, Cs, H, W)`` → ``(B, Ct, H, W)`` or ``(B, Cs)`` → ``(B, Ct)``."""
        if x.dim() == 2:
            out = F.linear(x, self.proj.weight.flatten(1), self.proj.bias)
        else:
            out = self.proj(x)
            if self.norm is not None:
                out = self.norm(out)
        return F.relu(out) if self.act else out

    def forward(self, student: Tensor, teacher: Tensor) -> ConnectorOutput:
        return self.project(student), teacher, {}
