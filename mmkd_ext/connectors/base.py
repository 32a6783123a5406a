"""The interface shared by every connector."""
from typing import Dict, Optional, Tuple

from mmengine.model import BaseModule
from torch import Tensor

ConnectorOutput = Tuple[Tensor, Tensor, Dict[str, Tensor]]


class BaseConnector(BaseModule):
    """Transforms a recorded (student, teacher) feature pair before the distillation loss.

    A connector sits between the recorded features and the loss of one distillation point. It may
    transform the student side (a projector), the teacher side (DiffKD's autoencoder) or both, and it
    may return auxiliary losses of its own (DiffKD's diffusion and reconstruction losses). Auxiliary
    loss names must contain ``'loss'`` so that MMEngine sums and back-propagates them.

    Subclasses set :attr:`student_channels` / :attr:`teacher_channels` (or leave them ``None`` when any
    width is accepted) so that the distiller can report a width mismatch with both shapes before the
    first convolution fails with a cryptic message.
    """

    student_channels: Optional[int] = None
    teacher_channels: Optional[int] = None

    def forward(self, student: Tensor, teacher: Tensor) -> ConnectorOutput:
        """Connect one feature pair.

        Args:
            student (Tensor): The student feature, ``(B, Cs, H, W)`` or ``(B, Cs)``.
            teacher (Tensor): The teacher feature, ``(B, Ct, H, W)`` or ``(B, Ct)``; no gradient.

        Returns:
            tuple: ``(student_out, teacher_out, aux_losses)`` where the two tensors are what the
            distillation loss compares and ``aux_losses`` maps names to scalar losses (may be empty).
        """
        raise NotImplementedError


class IdentityConnector(BaseConnector):
    """Passes both features through unchanged (the default when a point names no connector)."""

    def forward(self, student: Tensor, teacher: Tensor) -> ConnectorOutput:
        return student, teacher, {}
