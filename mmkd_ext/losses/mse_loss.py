"""Mean squared error between student and teacher features."""
from typing import List, Optional

import torch.nn.functional as F
from torch import Tensor

from ..registry import MODELS
from ..utils.errors import check_choice
from .base import BaseDistillLoss
from .utils import check_pair_shapes


@MODELS.register_module()
class FeatureMSELoss(BaseDistillLoss):
    """Squared L2 distance between a student feature and a teacher feature.

    Named ``FeatureMSELoss`` because mmdet already registers ``MSELoss``.

    Args:
        loss_weight (float): Multiplier of the returned loss. Defaults to 1.0.
        reduction (str): ``'mean'`` averages over every element; ``'batchmean'`` sums over every
            element and divides by the batch size (the scale of the original FitNets/FGD-style
            losses, which grows with C·H·W). Defaults to ``'mean'``.
    """

    _reductions = ('mean', 'batchmean')

    def __init__(self, loss_weight: float = 1.0, reduction: str = 'mean') -> None:
        super().__init__(loss_weight=loss_weight)
        self.reduction = check_choice(reduction, self._reductions, 'FeatureMSELoss: reduction')

    def compute(self, student: Tensor, teacher: Tensor,
                data_samples: Optional[List] = None) -> Tensor:
        """Return the unweighted MSE.

        Args:
            student (Tensor): ``(B, C, H, W)`` or ``(B, C)`` (any shape with a leading batch dim).
            teacher (Tensor): Same shape as ``student``.
            data_samples (list, optional): Unused.

        Returns:
            Tensor: A scalar.
        """
        check_pair_shapes(student, teacher, type(self).__name__)
        if self.reduction == 'mean':
            return F.mse_loss(student, teacher, reduction='mean')
        return F.mse_loss(student, teacher, reduction='sum') / student.shape[0]
