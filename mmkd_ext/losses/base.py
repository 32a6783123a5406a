"""The interface shared by every distillation loss."""
from typing import List, Optional

import torch.nn as nn
from torch import Tensor

from ..utils.amp import fp32_region
from ..utils.errors import check_weight


class BaseDistillLoss(nn.Module):
    """A distance between a student output and a teacher output, scaled by ``loss_weight``.

    Subclasses implement :meth:`compute` (the unweighted loss). :meth:`forward` runs it in fp32 with
    autocast disabled, so every loss is safe under fp16/bf16 AMP, and applies ``loss_weight``.

    Losses that need the batch's ground truth (labels, boxes) set :attr:`needs_data_samples` to True;
    the distiller then passes the toolbox's list of data samples.

    Args:
        loss_weight (float): Multiplier of the returned loss, a number >= 0 (0 switches the loss
            off; a string or a negative weight is refused at construction). Defaults to 1.0.
    """

    needs_data_samples: bool = False

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = check_weight(loss_weight, f'{type(self).__name__}.loss_weight')

    def forward(self, student: Tensor, teacher: Tensor,
                data_samples: Optional[List] = None) -> Tensor:
        """Return the weighted scalar loss.

        Args:
            student (Tensor): Student output after the connector.
            teacher (Tensor): Teacher output after the connector (carries no gradient to the teacher).
            data_samples (list, optional): The batch's data samples; only for losses that need them.

        Returns:
            Tensor: A scalar (fp32).
        """
        with fp32_region(student):
            loss = self.compute(student.float(), teacher.float(), data_samples)
        return self.loss_weight * loss

    def compute(self, student: Tensor, teacher: Tensor,
                data_samples: Optional[List] = None) -> Tensor:
        """Return the unweighted loss for fp32 inputs; see :meth:`forward` for the arguments."""
        raise NotImplementedError
