"""Decoupled knowledge distillation (Zhao et al., CVPR 2022)."""
from typing import List, Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from ..registry import MODELS
from ..utils.errors import check_positive
from .base import BaseDistillLoss
from .utils import check_pair_shapes, gt_labels_from_data_samples


def _binary_log_probs(logits: Tensor, target_mask: Tensor) -> Tensor:
    """Log-probabilities of the (target, non-target) split of ``softmax(logits)``.

    Computed with log-sum-exp instead of ``log(sum(p))`` so that a confident prediction, whose
    non-target mass underflows in fp32, still gives a finite log-probability.

    Args:
        logits (Tensor): ``(B, K)`` temperature-scaled logits.
        target_mask (Tensor): ``(B, K)`` bool, True at each sample's ground-truth class.

    Returns:
        Tensor: ``(B, 2)``; column 0 is log p(target), column 1 is log p(non-target).
    """
    log_z = logits.logsumexp(dim=1)
    log_target = logits.masked_fill(~target_mask, float('-inf')).logsumexp(dim=1) - log_z
    log_other = logits.masked_fill(target_mask, float('-inf')).logsumexp(dim=1) - log_z
    return torch.stack([log_target, log_other], dim=1)


@MODELS.register_module()
class DKDLoss(BaseDistillLoss):
    """Split the KD loss into a target-class part (TCKD) and a non-target-class part (NCKD).

    ``TCKD`` is the KL divergence between the teacher's and the student's binary
    (target, non-target) probabilities; ``NCKD`` the KL divergence between their distributions over
    the non-target classes only. Weighting them separately (β ≫ α) frees the non-target "dark
    knowledge" from being suppressed by a confident teacher. The loss is
    ``α · τ² · TCKD + β · τ² · NCKD``, each KL summed over classes and averaged over the batch.

    Needs the ground-truth labels, read from mmpretrain ``DataSample.gt_label``.

    Args:
        alpha (float): Weight of TCKD. Defaults to 1.0.
        beta (float): Weight of NCKD. Defaults to 8.0.
        tau (float): Softmax temperature, > 0. Defaults to 4.0.
        loss_weight (float): Multiplier of the returned loss. Defaults to 1.0.
    """

    needs_data_samples = True

    def __init__(self,
                 alpha: float = 1.0,
                 beta: float = 8.0,
                 tau: float = 4.0,
                 loss_weight: float = 1.0) -> None:
        super().__init__(loss_weight=loss_weight)
        check_positive(tau, 'DKDLoss: tau')
        self.alpha = alpha
        self.beta = beta
        self.tau = tau

    def compute(self, student: Tensor, teacher: Tensor,
                data_samples: Optional[List] = None) -> Tensor:
        """Return the unweighted DKD loss.

        Args:
            student (Tensor): Student logits, ``(B, K)`` with ``K >= 2``.
            teacher (Tensor): Teacher logits, ``(B, K)``.
            data_samples (list): ``B`` data samples, each with a 1-element ``gt_label``.

        Returns:
            Tensor: A scalar.
        """
        name = type(self).__name__
        check_pair_shapes(student, teacher, name, dims=(2, ))
        batch_size, num_classes = student.shape
        if num_classes < 2:
            raise ValueError(f'{name} needs at least 2 classes, got student {tuple(student.shape)} '
                             f'vs teacher {tuple(teacher.shape)}')
        labels = gt_labels_from_data_samples(data_samples, student.device)
        if labels.numel() != batch_size:
            raise ValueError(f'{name} needs one label per sample: got {labels.numel()} labels for '
                             f'logits of shape {tuple(student.shape)}')
        # Checked here because an out-of-range index is a device-side assert on CUDA.
        if labels.min() < 0 or labels.max() >= num_classes:
            raise ValueError(f'{name}: labels must lie in [0, {num_classes - 1}], '
                             f'got {labels.tolist()}')
        target_mask = torch.zeros_like(student, dtype=torch.bool)
        target_mask.scatter_(1, labels[:, None], True)

        s = student / self.tau
        t = teacher / self.tau

        # TCKD: binary (target, non-target) distributions.
        log_b_s = _binary_log_probs(s, target_mask)
        log_b_t = _binary_log_probs(t, target_mask)
        tckd = F.kl_div(log_b_s, log_b_t, reduction='none', log_target=True).sum(dim=1).mean()

        # NCKD: the target logit is pushed to ~zero probability so the softmax renormalises over
        # the non-target classes only (a large finite value, not -inf, keeps 0·log 0 out of the KL).
        log_q_s = F.log_softmax(s - 1000.0 * target_mask, dim=1)
        log_q_t = F.log_softmax(t - 1000.0 * target_mask, dim=1)
        nckd = F.kl_div(log_q_s, log_q_t, reduction='none', log_target=True).sum(dim=1).mean()

        return self.tau**2 * (self.alpha * tckd + self.beta * nckd)
