"""Logit distillation with a temperature-softened KL divergence (Hinton et al. 2015)."""
from typing import List, Optional

import torch.nn.functional as F
from torch import Tensor

from ..registry import MODELS
from ..utils.errors import check_positive
from .base import BaseDistillLoss
from .utils import check_pair_shapes


@MODELS.register_module()
class KDLoss(BaseDistillLoss):
    """``τ² · KL(softmax(t/τ) ‖ softmax(s/τ))``, summed over classes and averaged over samples.

    The class dimension is dim 1, so dense logits ``(B, K, H, W)`` are handled too: every pixel is a
    sample and the mean runs over the ``B·H·W`` positions. The τ² factor keeps the gradient scale
    independent of the temperature.

    Args:
        tau (float): Softmax temperature, > 0. Defaults to 1.0.
        loss_weight (float): Multiplier of the returned loss. Defaults to 1.0.
    """

    def __init__(self, tau: float = 1.0, loss_weight: float = 1.0) -> None:
        super().__init__(loss_weight=loss_weight)
        check_positive(tau, 'KDLoss: tau')
        self.tau = tau

    def compute(self, student: Tensor, teacher: Tensor,
                data_samples: Optional[List] = None) -> Tensor:
        """Return the unweighted KD loss.

        Args:
            student (Tensor): Student logits, ``(B, K)`` or ``(B, K, H, W)``.
            teacher (Tensor): Teacher logits, same shape.
            data_samples (list, optional): Unused.

        Returns:
            Tensor: A scalar.
        """
        check_pair_shapes(student, teacher, type(self).__name__, dims=(2, 4))
        log_p_s = F.log_softmax(student / self.tau, dim=1)
        # A log-space target keeps p·(log p − log q) finite where the teacher's p underflows.
        log_p_t = F.log_softmax(teacher / self.tau, dim=1)
        # (B,) or (B, H, W)
        kl = F.kl_div(log_p_s, log_p_t, reduction='none', log_target=True).sum(dim=1)
        return kl.mean() * self.tau**2
