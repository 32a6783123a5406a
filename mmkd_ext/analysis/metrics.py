"""Representation similarity (linear CKA) and calibration (ECE) metrics.

Both work on whole-data-set tensors on the CPU; the callers accumulate the per-batch pieces.
"""
from dataclasses import asdict, dataclass
from typing import Dict, List

import torch
from torch import Tensor


def pool_features(feature: Tensor) -> Tensor:
    """One vector per sample: global-average-pool every dimension after the channels.

    ``(B, C, H, W)`` → ``(B, C)``; ``(B, C)`` stays; ``(B, C, L)`` → ``(B, C)``. Pooling (rather than
    flattening the map) keeps the size independent of the resolution, so images padded to
    different sizes in different batches (detection) still give rows of one width, and the Gram
    matrices stay ``C × C`` instead of ``CHW × CHW``.

    Args:
        feature (Tensor): A recorded feature with the batch in dimension 0.

    Returns:
        Tensor: ``(B, C)`` in float32 on the CPU, detached.
    """
    feature = feature.detach().float().cpu()
    if feature.dim() == 1:
        return feature[:, None]
    if feature.dim() > 2:
        feature = feature.flatten(2).mean(dim=2)
    return feature


def linear_cka(x: Tensor, y: Tensor) -> float:
    """Linear centred kernel alignment between two representations of the same samples.

    ``CKA(X, Y) = ‖YᵀX‖²_F / (‖XᵀX‖_F · ‖YᵀY‖_F)`` on column-centred ``X`` and ``Y``. It is 1 for
    representations equal up to an orthogonal transform and an isotropic scale, and near 0 for
    independent ones; the widths of ``x`` and ``y`` may differ.

    Args:
        x (Tensor): ``(n, p)`` features, one row per sample.
        y (Tensor): ``(n, q)`` features of the same samples in the same order.

    Returns:
        float: The CKA in ``[0, 1]``; ``nan`` when one side is constant over the samples.
    """
    if x.dim() != 2 or y.dim() != 2 or x.shape[0] != y.shape[0]:
        raise ValueError(f'linear_cka needs (n, p) and (n, q) matrices with the same n; got '
                         f'{tuple(x.shape)} and {tuple(y.shape)}.')
    # float64: the numerator and denominator are fourth powers of the features.
    x = x.double() - x.double().mean(dim=0, keepdim=True)
    y = y.double() - y.double().mean(dim=0, keepdim=True)
    cross = torch.linalg.matrix_norm(y.T @ x) ** 2
    denom = torch.linalg.matrix_norm(x.T @ x) * torch.linalg.matrix_norm(y.T @ y)
    if denom == 0:
        return float('nan')
    return float(cross / denom)


def top1_accuracy(probs: Tensor, labels: Tensor) -> float:
    """Fraction of samples whose arg-max class is the label.

    Args:
        probs (Tensor): ``(n, K)`` scores or probabilities.
        labels (Tensor): ``(n,)`` integer labels.

    Returns:
        float: Accuracy in ``[0, 1]``.
    """
    return float((probs.argmax(dim=1) == labels).double().mean())


@dataclass
class ReliabilityBins:
    """Equal-width confidence bins of a classifier (the data of a reliability diagram).

    Attributes:
        edges (list): ``n_bins + 1`` bin edges from 0 to 1.
        counts (list): Samples per bin.
        accuracy (list): Fraction correct per bin (0 for empty bins).
        confidence (list): Mean top-1 confidence per bin (0 for empty bins).
    """
    edges: List[float]
    counts: List[int]
    accuracy: List[float]
    confidence: List[float]

    def to_dict(self) -> Dict[str, list]:
        return asdict(self)


def reliability_bins(probs: Tensor, labels: Tensor, n_bins: int = 15) -> ReliabilityBins:
    """Bin the samples by their top-1 confidence into ``n_bins`` equal-width bins.

    A sample with confidence ``c`` goes to the bin ``(lo, hi]`` holding it (``c = 0`` to the first).

    Args:
        probs (Tensor): ``(n, K)`` class probabilities (rows sum to 1).
        labels (Tensor): ``(n,)`` integer labels.
        n_bins (int): Number of bins.

    Returns:
        ReliabilityBins: Counts, accuracy and mean confidence per bin.
    """
    confidence, predicted = probs.double().max(dim=1)
    correct = (predicted == labels).double()
    edges = torch.linspace(0, 1, n_bins + 1, dtype=torch.float64)
    # bucketize with right=False maps c in (lo, hi] to hi's index; shift to 0-based bins.
    index = (torch.bucketize(confidence, edges) - 1).clamp(0, n_bins - 1)
    counts = torch.bincount(index, minlength=n_bins)
    safe = counts.clamp(min=1).double()
    accuracy = torch.bincount(index, weights=correct, minlength=n_bins) / safe
    mean_conf = torch.bincount(index, weights=confidence, minlength=n_bins) / safe
    return ReliabilityBins(edges.tolist(), counts.tolist(), accuracy.tolist(), mean_conf.tolist())


def expected_calibration_error(probs: Tensor, labels: Tensor, n_bins: int = 15) -> float:
    """``ECE = Σ_m |B_m| / n · |acc(B_m) − conf(B_m)|`` over equal-width confidence bins.

    Args:
        probs (Tensor): ``(n, K)`` class probabilities.
        labels (Tensor): ``(n,)`` integer labels.
        n_bins (int): Number of bins (15 is the common choice).

    Returns:
        float: The ECE in ``[0, 1]``.
    """
    bins = reliability_bins(probs, labels, n_bins)
    n = max(sum(bins.counts), 1)
    return float(sum(c / n * abs(a - f) for c, a, f in zip(bins.counts, bins.accuracy,
                                                          bins.confidence)))
