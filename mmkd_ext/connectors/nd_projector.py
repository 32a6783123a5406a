"""The ND student projector: BN1d → Dropout → Linear, used when student and teacher widths differ."""
from typing import Optional

import torch.nn as nn
from torch import Tensor

from ..registry import MODELS
from .base import BaseConnector, ConnectorOutput


def _flatten_embedding(x: Tensor, who: str) -> Tensor:
    """``(B, C)`` stays, ``(B, C, 1, 1)`` becomes ``(B, C)``; anything else is an error."""
    if x.dim() == 2:
        return x
    if x.dim() > 2 and all(s == 1 for s in x.shape[2:]):
        return x.flatten(1)
    raise ValueError(f'NDProjector expects pooled {who} embeddings (B, C) or (B, C, 1, 1), got shape '
                     f'{tuple(x.shape)}; record the globally pooled feature (e.g. the neck output).')


@MODELS.register_module()
class NDProjector(BaseConnector):
    """``BatchNorm1d(Cs) → Dropout(p) → Linear(Cs, Ct)`` on the student embedding, for the ND loss.

    Per the ND paper this projector feeds *only* the ND loss: the student's classifier keeps using the
    raw embedding (that is the distiller's wiring: this connector only changes what the distillation
    point sees). Use it when Cs ≠ Ct (e.g. ResNet-18 512 → ResNet-50 2048); with equal widths the paper
    uses no projector. The teacher embedding is passed through unchanged.

    Args:
        student_channels (int): Cs, the student embedding width.
        teacher_channels (int): Ct, the teacher embedding width (the output width).
        dropout (float): Dropout probability. Defaults to 0.5.
        init_cfg (dict, optional): MMEngine initialisation config.
    """

    def __init__(self,
                 student_channels: int,
                 teacher_channels: int,
                 dropout: float = 0.5,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.student_channels = student_channels
        self.teacher_channels = teacher_channels
        self.bn = nn.BatchNorm1d(student_channels)
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(student_channels, teacher_channels)

    def forward(self, student: Tensor, teacher: Tensor) -> ConnectorOutput:
        """Project the student embedding.

        Args:
            student (Tensor): ``(B, Cs)`` or ``(B, Cs, 1, 1)``.
            teacher (Tensor): ``(B, Ct)`` (or ``(B, Ct, 1, 1)``); returned unchanged.

        Returns:
            tuple: ``(projected student (B, Ct), teacher, {})``.

        Raises:
            ValueError: On a batch of one sample in training mode (BatchNorm1d cannot estimate batch
                statistics from it), or on a width / layout mismatch.
        """
        x = _flatten_embedding(student, 'student')
        if x.shape[1] != self.student_channels:
            raise ValueError(f'NDProjector was built for {self.student_channels} student channels but '
                             f'got shape {tuple(student.shape)}')
        if self.training and x.shape[0] < 2:
            raise ValueError(
                f'NDProjector got a batch of {x.shape[0]} sample(s) in training mode; its '
                'BatchNorm1d needs at least 2 samples per batch (per GPU) to compute batch '
                'statistics. Use a larger per-GPU batch size, or drop_last=True in the train '
                'dataloader so that the last batch is never a single sample.')
        return self.fc(self.drop(self.bn(x))), teacher, {}
