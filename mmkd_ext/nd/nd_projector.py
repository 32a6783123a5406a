"""The ND student projector: BN1d → Dropout → Linear, used when student and teacher widths differ."""
from typing import Optional

import torch
import torch.nn as nn
from torch import Tensor

from ..connectors.base import BaseConnector, ConnectorOutput
from ..registry import MODELS
from ..utils.errors import check_choice
from .nd_loss import as_embeddings

#: Initialisations of the Linear layer (see NDProjector).
LINEAR_INITS = ('default', 'zero_bias', 'normal')


@MODELS.register_module()
class NDProjector(BaseConnector):
    """``BatchNorm1d(Cs) → Dropout(p) → Linear(Cs, Ct)`` on the student embedding, for the ND loss.

    Per the ND paper this projector feeds *only* the ND loss: the student's classifier keeps using the
    raw embedding (that is the distiller's wiring: this connector only changes what the distillation
    point sees). Use it when Cs ≠ Ct (e.g. ResNet-18 512 → ResNet-50 2048); with equal widths the paper
    uses no projector. The teacher embedding is passed through unchanged.

    The Linear layer starts as the authors' code starts it, which differs by data set:
    ``linear_init='normal'`` (their ImageNet code) draws weight and bias from N(0, 0.01²), i.e.
    ``normal_(0, 0.01)``; ``'zero_bias'`` (their CIFAR-100 code) keeps PyTorch's default weight
    (Kaiming-uniform) and zeroes the bias; ``'default'`` is PyTorch's default for both.

    Args:
        student_channels (int): Cs, the student embedding width.
        teacher_channels (int): Ct, the teacher embedding width (the output width).
        dropout (float): Dropout probability. Defaults to 0.5.
        linear_init (str): ``'default'``, ``'zero_bias'`` or ``'normal'``, see above. Defaults to
            ``'default'``.
        init_cfg (dict, optional): MMEngine initialisation config; when given it takes precedence
            over ``linear_init``.
    """

    def __init__(self,
                 student_channels: int,
                 teacher_channels: int,
                 dropout: float = 0.5,
                 linear_init: str = 'default',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        check_choice(linear_init, LINEAR_INITS, 'NDProjector: linear_init')
        self.student_channels = student_channels
        self.teacher_channels = teacher_channels
        self.linear_init = linear_init
        self.bn = nn.BatchNorm1d(student_channels)
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(student_channels, teacher_channels)
        self.own_init()

    @torch.no_grad()
    def own_init(self) -> None:
        """Initialise the Linear layer as ``linear_init`` says."""
        if self.linear_init == 'normal':
            self.fc.weight.normal_(0.0, 0.01)
            self.fc.bias.normal_(0.0, 0.01)
        elif self.linear_init == 'zero_bias':
            self.fc.bias.zero_()

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
        x = as_embeddings(student, 'student', 'NDProjector')
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
