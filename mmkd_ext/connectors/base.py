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

    def own_init(self) -> None:
        """Apply the connector's own initialisation of its layers (nothing by default).

        Subclasses whose layers start from something other than PyTorch's defaults (an identity, a
        method's prescribed distribution) override it and call it at the end of ``__init__``;
        :meth:`init_weights` applies it again, so that it survives a parent's blanket
        ``init_cfg``.
        """

    def init_weights(self) -> None:
        """Run MMEngine's initialisation, then :meth:`own_init` unless ``init_cfg`` was given.

        MMEngine initialises a parent's ``init_cfg`` (e.g. a distiller-wide
        ``dict(type='Normal', layer='Linear')``) before calling the children's ``init_weights``; the
        connector's own initialisation is applied again here so that such a rule cannot silently
        replace it. The connector's own ``init_cfg``, when given, wins.
        """
        super().init_weights()
        if not self.init_cfg:
            self.own_init()

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
