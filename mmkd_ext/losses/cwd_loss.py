"""Channel-wise distillation (Shu et al., ICCV 2021)."""
from typing import List, Optional

import torch.nn.functional as F
from torch import Tensor

from ..registry import MODELS
from ..utils.errors import check_positive
from .base import BaseDistillLoss
from .utils import check_pair_shapes


@MODELS.register_module()
class CWDLoss(BaseDistillLoss):
    """KL divergence between per-channel spatial distributions of teacher and student maps.

    Each channel is turned into a distribution over its ``H·W`` positions with a softmax at
    temperature τ, so the student learns *where* each teacher channel responds most, regardless of
    the channel's absolute scale. The loss is
    ``τ² · Σ_{b,c} KL(softmax(t_bc/τ) ‖ softmax(s_bc/τ)) / (B·C)``.

    Args:
        tau (float): Softmax temperature, > 0. Defaults to 1.0.
        loss_weight (float): Multiplier of the returned loss. Defaults to 1.0.
    """

    def __init__(self, tau: float = 1.0, loss_weight: float = 1.0) -> None:
        super().__init__(loss_weight=loss_weight)
        check_positive(tau, 'CWDLoss: tau')
        self.tau = tau

    def compute(self, student: Tensor, teacher: Tensor,
                data_samples: Optional[List] = None) -> Tensor:
        """Return the unweighted channel-wise distillation loss.

        Args:
            student (Tensor): Student feature map or dense logits, ``(B, C, H, W)``.
            teacher (Tensor): Teacher map, same shape.
            data_samples (list, optional): Unused.

        Returns:
            Tensor: A scalar.
        """
        check_pair_shapes(student, teacher, type(self).__name__, dims=(4, ))
        # (B, C, H, W) -> (B·C, H·W): one spatial distribution per (sample, channel).
        s = student.flatten(2).flatten(0, 1)
        t = teacher.flatten(2).flatten(0, 1)
        log_p_s = F.log_softmax(s / self.tau, dim=1)
        log_p_t = F.log_softmax(t / self.tau, dim=1)
        kl = F.kl_div(log_p_s, log_p_t, reduction='none', log_target=True).sum(dim=1)  # (B·C,)
        return kl.mean() * self.tau**2
