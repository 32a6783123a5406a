"""A trainable linear map on the student logits ("Understanding the Effects of Projectors in KD")."""
from typing import Optional

import torch
import torch.nn as nn
from torch import Tensor

from ..registry import MODELS
from .base import BaseConnector, ConnectorOutput


@MODELS.register_module()
class LogitProjector(BaseConnector):
    """``Linear(K, K)`` (no activation) applied to the student logits before the logit KD loss.

    The teacher logits are passed through unchanged. The follow-up paper pairs it with KL at T = 4 and
    ``0.1·CE + 0.9·KD``. The projector is trained by the student's optimizer and thrown away after
    training; the student's own classifier (and so its predictions) never goes through it.

    Initialisation: PyTorch's default ``nn.Linear`` init (Kaiming-uniform weight, uniform bias), as
    in the paper's code. ``identity_init=True`` starts instead from the identity with zero bias,
    i.e. from plain logit KD; that start is ours, not the paper's.

    Args:
        num_classes (int): K, the number of logits.
        identity_init (bool): Initialise to the identity instead of the default random init.
            Defaults to False.
        init_cfg (dict, optional): MMEngine initialisation config. When given it takes precedence
            over ``identity_init``.
    """

    def __init__(self,
                 num_classes: int,
                 identity_init: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_classes = num_classes
        self.student_channels = num_classes
        self.teacher_channels = num_classes
        self.identity_init = identity_init
        self.fc = nn.Linear(num_classes, num_classes, bias=True)
        self.own_init()

    @torch.no_grad()
    def own_init(self) -> None:
        """The identity with zero bias when ``identity_init``; else PyTorch's default stays."""
        if self.identity_init:
            self.fc.weight.copy_(torch.eye(self.num_classes, dtype=self.fc.weight.dtype))
            self.fc.bias.zero_()

    def forward(self, student: Tensor, teacher: Tensor) -> ConnectorOutput:
        """Project the student logits.

        Args:
            student (Tensor): ``(B, K)`` student logits.
            teacher (Tensor): ``(B, K)`` teacher logits; returned unchanged.

        Returns:
            tuple: ``(student @ Wᵀ + b, teacher, {})`` with the first of shape ``(B, K)``.
        """
        if student.shape[-1] != self.num_classes:
            raise ValueError(f'LogitProjector was built for {self.num_classes} classes but got '
                             f'student logits of shape {tuple(student.shape)}')
        return self.fc(student), teacher, {}
