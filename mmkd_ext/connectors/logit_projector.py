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

    Initialisation (our choice: the method facts we follow do not state the paper's): the identity
    matrix with zero bias. Training then starts exactly from plain logit KD, and the projector only
    departs from the identity where that lowers the loss; a random init would instead start by
    comparing the teacher with an arbitrary linear mix of the student's logits, i.e. the early
    iterations would distil against noise. ``identity_init=False`` keeps PyTorch's default
    (Kaiming-uniform) ``nn.Linear`` init for those who want the random start.

    Args:
        num_classes (int): K, the number of logits.
        identity_init (bool): Initialise to the identity. Defaults to True.
        init_cfg (dict, optional): MMEngine initialisation config. When given it takes precedence
            over ``identity_init``.
    """

    def __init__(self,
                 num_classes: int,
                 identity_init: bool = True,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_classes = num_classes
        self.student_channels = num_classes
        self.teacher_channels = num_classes
        self.identity_init = identity_init
        self.fc = nn.Linear(num_classes, num_classes, bias=True)
        if identity_init:
            self._set_identity()

    @torch.no_grad()
    def _set_identity(self) -> None:
        self.fc.weight.copy_(torch.eye(self.num_classes, dtype=self.fc.weight.dtype))
        self.fc.bias.zero_()

    def init_weights(self) -> None:
        """Run MMEngine's initialisation, then restore the identity unless ``init_cfg`` was given.

        MMEngine initialises a parent's ``init_cfg`` (e.g. a distiller-wide
        ``dict(type='Normal', layer='Linear')``) before calling the children's ``init_weights``; the
        identity is re-applied here so such a blanket rule cannot silently replace it.
        """
        super().init_weights()
        if self.identity_init and not self.init_cfg:
            self._set_identity()

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
