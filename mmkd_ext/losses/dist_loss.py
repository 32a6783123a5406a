"""DIST: relation-based distillation from a stronger teacher (Huang et al., NeurIPS 2022)."""
from typing import List, Optional

from torch import Tensor

from ..registry import MODELS
from ..utils.errors import check_positive
from .base import BaseDistillLoss
from .utils import check_pair_shapes


def _pearson(x: Tensor, y: Tensor, dim: int, eps: float) -> Tensor:
    """Pearson correlation of ``x`` and ``y`` along ``dim``.

    Args:
        x (Tensor): ``(N, K)``.
        y (Tensor): ``(N, K)``.
        dim (int): The dimension along which the vectors run (1: per row, 0: per column).
        eps (float): Added to the product of the norms so constant vectors give 0, not NaN.

    Returns:
        Tensor: ``(N,)`` for ``dim=1``, ``(K,)`` for ``dim=0``.
    """
    xc = x - x.mean(dim=dim, keepdim=True)
    yc = y - y.mean(dim=dim, keepdim=True)
    return (xc * yc).sum(dim=dim) / (xc.norm(dim=dim) * yc.norm(dim=dim) + eps)


@MODELS.register_module()
class DISTLoss(BaseDistillLoss):
    """Match the inter-class and intra-class relations of the softened predictions.

    With ``p_s = softmax(s/τ)`` and ``p_t = softmax(t/τ)`` over classes, the loss is
    ``τ² · (β · inter + γ · intra)`` where ``inter`` is the mean over samples of
    ``1 − pearson(p_s[i, :], p_t[i, :])`` and ``intra`` the mean over classes of
    ``1 − pearson(p_s[:, k], p_t[:, k])``. Correlation, unlike KL, ignores the shift and scale of the
    predictions, which makes it tolerant of a much stronger teacher.

    Dense logits ``(B, K, H, W)`` are treated as ``B·H·W`` samples. The intra-class term needs at
    least two samples: with a single one every column is constant, the correlation is taken as 0 and
    the term is a constant 1 without gradient.

    Args:
        beta (float): Weight of the inter-class term. Defaults to 1.0.
        gamma (float): Weight of the intra-class term. Defaults to 1.0.
        tau (float): Softmax temperature, > 0. Defaults to 1.0.
        loss_weight (float): Multiplier of the returned loss. Defaults to 1.0.
        eps (float): Added to the Pearson denominators. Defaults to 1e-8.
    """

    def __init__(self,
                 beta: float = 1.0,
                 gamma: float = 1.0,
                 tau: float = 1.0,
                 loss_weight: float = 1.0,
                 eps: float = 1e-8) -> None:
        super().__init__(loss_weight=loss_weight)
        check_positive(tau, 'DISTLoss: tau')
        self.beta = beta
        self.gamma = gamma
        self.tau = tau
        self.eps = eps

    def compute(self, student: Tensor, teacher: Tensor,
                data_samples: Optional[List] = None) -> Tensor:
        """Return the unweighted DIST loss.

        Args:
            student (Tensor): Student logits, ``(B, K)`` or ``(B, K, H, W)``.
            teacher (Tensor): Teacher logits, same shape.
            data_samples (list, optional): Unused.

        Returns:
            Tensor: A scalar.
        """
        check_pair_shapes(student, teacher, type(self).__name__, dims=(2, 4))
        num_classes = student.shape[1]
        if student.dim() == 4:
            # (B, K, H, W) -> (B·H·W, K): every pixel is one sample.
            student = student.movedim(1, -1).reshape(-1, num_classes)
            teacher = teacher.movedim(1, -1).reshape(-1, num_classes)
        p_s = (student / self.tau).softmax(dim=1)
        p_t = (teacher / self.tau).softmax(dim=1)
        inter = 1.0 - _pearson(p_s, p_t, dim=1, eps=self.eps).mean()
        intra = 1.0 - _pearson(p_s, p_t, dim=0, eps=self.eps).mean()
        return self.tau**2 * (self.beta * inter + self.gamma * intra)
