"""Cosine distance between student and teacher features."""
from typing import List, Optional

import torch.nn.functional as F
from torch import Tensor

from ..registry import MODELS
from .base import BaseDistillLoss
from .utils import check_pair_shapes


@MODELS.register_module()
class CosineDistanceLoss(BaseDistillLoss):
    """Mean of ``1 − cos(s, t)`` with the cosine taken along the channel dimension.

    For vectors ``(B, C)`` there is one cosine per sample; for maps ``(B, C, H, W)`` one per location,
    so only the direction of each feature vector is matched, not its norm.

    Args:
        loss_weight (float): Multiplier of the returned loss. Defaults to 1.0.
        eps (float): Lower bound of each vector norm, so an all-zero vector gives cosine 0 rather
            than NaN. Defaults to 1e-8.
    """

    def __init__(self, loss_weight: float = 1.0, eps: float = 1e-8) -> None:
        super().__init__(loss_weight=loss_weight)
        self.eps = eps

    def compute(self, student: Tensor, teacher: Tensor,
                data_samples: Optional[List] = None) -> Tensor:
        """Return the unweighted cosine distance.

        Args:
            student (Tensor): ``(B, C)`` or ``(B, C, H, W)``.
            teacher (Tensor): Same shape as ``student``.
            data_samples (list, optional): Unused.

        Returns:
            Tensor: A scalar in ``[0, 2]``.
        """
        check_pair_shapes(student, teacher, type(self).__name__, dims=(2, 4))
        cos = F.cosine_similarity(student, teacher, dim=1, eps=self.eps)  # (B,) or (B, H, W)
        return (1.0 - cos).mean()
