"""Attention-weighted, foreground/background-balanced feature MSE (the focal part of FGD).

FGD: "Focal and Global Knowledge Distillation for Detectors", Yang et al., CVPR 2022. DiffKD uses
this distance for its detection variant DiffKD† (the refined student FPN level vs the teacher's).
"""
import math
from typing import List, Optional, Sequence, Tuple

import torch
from torch import Tensor

from ..registry import MODELS
from ..utils.errors import check_choice, check_positive
from .base import BaseDistillLoss
from .utils import check_pair_shapes

FG_NORMS = ('image', 'box')
#: Which cells a box makes foreground: the paper's (the cells it covers) or the FGD code's.
FG_CELLS = ('covered', 'floor_ceil')


def _shape_of(sample, key: str, fallback: Tuple[int, int]) -> Tuple[int, int]:
    """``(h, w)`` of a metainfo shape field of a data sample, or ``fallback`` when it is unset."""
    shape = sample.metainfo.get(key) if hasattr(sample, 'metainfo') else None
    return (int(shape[0]), int(shape[1])) if shape is not None else fallback


def _box_cells(lo: Tensor, hi: Tensor, size: int, rule: str = 'covered') -> Tensor:
    """Which of ``size`` unit cells each interval ``[lo, hi)`` makes foreground, ``(N, size)`` bool.

    Cell ``j`` spans ``[j, j + 1)``.

    * ``'covered'``: the cells the interval overlaps, ``floor(lo) … ceil(hi) − 1``. An interval
      narrower than a cell still covers the cell it lies in: a tiny box must not vanish from the
      mask on a coarse FPN level.
    * ``'floor_ceil'``: ``floor(lo) … ceil(hi)`` inclusive, as the official FGD code slices its
      mask: one cell more than ``'covered'`` at the high end (clipped to the grid).
    """
    cells = torch.arange(size, device=lo.device, dtype=lo.dtype)
    if rule == 'floor_ceil':
        return (cells[None] >= lo.floor()[:, None]) & (cells[None] <= hi.ceil()[:, None])
    hi = torch.maximum(hi, lo + 1e-3)
    return (cells[None] < hi[:, None]) & (cells[None] + 1 > lo[:, None])


def _box_extent(lo: Tensor, hi: Tensor, cells: Tensor, rule: str = 'covered') -> Tensor:
    """How many cells long each interval counts for the ``fg_norm='box'`` weight, ``(N, )``.

    Args:
        lo (Tensor): Interval starts in cells, ``(N, )``.
        hi (Tensor): Interval ends in cells, ``(N, )``.
        cells (Tensor): The intervals' cells on the grid, ``(N, size)`` bool (:func:`_box_cells`).
        rule (str): As for :func:`_box_cells`.

    Returns:
        Tensor: ``'covered'``: the cells on the grid. ``'floor_ceil'``: ``ceil(hi) + 1 − floor(lo)``,
        not clipped to the grid, as the official FGD code weights a box: a box that reaches the
        image border keeps the weight of its full extent.
    """
    if rule == 'floor_ceil':
        return hi.ceil() + 1 - lo.floor()
    return cells.sum(1).to(lo.dtype)


@MODELS.register_module()
class FGDFeatureLoss(BaseDistillLoss):
    """FGD's focal feature loss: MSE weighted by teacher attention, balanced over fg/bg pixels.

    For a detection feature map (an FPN level) of shape ``(B, C, H, W)``:

    * **Masks.** The ground-truth boxes (input-image pixels) are scaled to the feature grid with
      the stride ``batch_input_shape / (H, W)``. With ``fg_cells='covered'`` (the default, the
      paper's definition) a cell is foreground when a box covers it (overlaps it at all);
      ``fg_cells='floor_ceil'`` takes the cells ``floor(x1) … ceil(x2)`` (and ``floor(y1) …
      ceil(y2)``) inclusive, as the official FGD code does: one more column and row per box. Cells
      outside the unpadded image (``img_shape``) are neither foreground nor background: padding
      carries no information to distil.
    * **Normalisation per image.** With ``fg_norm='image'`` every foreground cell weighs
      ``1 / #fg cells`` and every background cell ``1 / #bg cells``, so both terms are weighted
      means and an image with one large object counts as much as one with many small ones.
      ``fg_norm='box'`` uses FGD's per-object *weighting* (not its scale, see below): a foreground
      cell weighs ``1 / (area of its box in cells)`` (the smallest covering box wins), so every
      object contributes about 1, whatever its size, and the foreground term grows with the
      number of objects. With ``fg_cells='floor_ceil'`` the area is the official code's
      ``(ceil(y2) + 1 − floor(y1)) · (ceil(x2) + 1 − floor(x1))``, not clipped to the grid: a box
      at the image border weighs as its full extent, and its cells sum to less than 1.
    * **Attention from the teacher.** ``A_S = H·W · softmax_{hw}(mean_c |t| / T)`` and
      ``A_C = C · softmax_c(mean_{hw} |t| / T)`` (both average 1). The student does not influence
      them, so the loss cannot shrink by moving attention away from hard places.
    * ``e[b, h, w] = A_S[b, h, w] · mean_c(A_C[b, c] · (s − t)²[b, c, h, w])`` and
      ``loss = α · mean_b Σ_hw W_fg·e + β · mean_b Σ_hw W_bg·e``.

    The channel *mean* (FGD sums) keeps the loss on the scale of a plain element-wise MSE: with
    uniform attention and ``fg_norm='image'`` the two terms are the MSEs over the foreground and
    over the background cells, so the defaults ``α = 1``, ``β = 0.5`` (FGD's 2 : 1 ratio of
    foreground to background weight; ``T = 0.5`` is FGD's temperature) give about 1.5 times the
    plain MSE and can replace ``FeatureMSELoss`` under the same point weight (DiffKD's 5 on COCO).
    FGD's own ``α, β`` (e.g. 5e-5 / 2.5e-5 for Faster R-CNN) are for its summed loss and do not
    transfer: even with ``fg_norm='box'`` and ``fg_cells='floor_ceil'`` this loss is FGD's focal
    feature loss divided by C (FGD sums over channels), and FGD maps the boxes with ``img_shape``
    rather than the padded ``batch_input_shape``.

    FGD's attention-imitation loss (student attention maps pulled to the teacher's) and global
    relation loss (GcBlock context modules) are not part of this loss: the teacher's attention
    enters only as the weights above. See docs/diffkd.md for why.

    Args:
        alpha (float): Weight of the foreground term. Defaults to 1.0.
        beta (float): Weight of the background term. Defaults to 0.5.
        temperature (float): Softmax temperature of both attentions, > 0. Defaults to 0.5.
        fg_norm (str): ``'image'`` (default) or ``'box'``, see above.
        fg_cells (str): ``'covered'`` (default, the paper) or ``'floor_ceil'`` (the FGD code),
            see above.
        loss_weight (float): Multiplier of the returned loss. Defaults to 1.0.
    """

    needs_data_samples = True

    def __init__(self,
                 alpha: float = 1.0,
                 beta: float = 0.5,
                 temperature: float = 0.5,
                 fg_norm: str = 'image',
                 fg_cells: str = 'covered',
                 loss_weight: float = 1.0) -> None:
        super().__init__(loss_weight=loss_weight)
        check_positive(temperature, 'FGDFeatureLoss: temperature')
        check_choice(fg_norm, FG_NORMS, 'FGDFeatureLoss: fg_norm')
        check_choice(fg_cells, FG_CELLS, 'FGDFeatureLoss: fg_cells')
        self.alpha = alpha
        self.beta = beta
        self.temperature = temperature
        self.fg_norm = fg_norm
        self.fg_cells = fg_cells

    # ------------------------------------------------------------------ masks
    def region_weights(self, data_samples: Sequence, height: int, width: int,
                       device: torch.device) -> Tuple[Tensor, Tensor]:
        """Per-cell foreground and background weights of a ``height × width`` feature grid.

        Args:
            data_samples (Sequence): mmdet data samples with ``gt_instances.bboxes`` (xyxy, in the
                pixels of the batch input) and ``batch_input_shape`` / ``img_shape`` metainfo.
            height (int): H of the feature map.
            width (int): W of the feature map.
            device (torch.device): Where the weights are created.

        Returns:
            tuple: ``(w_fg, w_bg)``, each ``(B, H, W)`` fp32; per image they sum to 1 (or 0 when the
            region is empty; with ``fg_norm='box'`` the foreground sums to about the box count).
        """
        w_fg = torch.zeros(len(data_samples), height, width, device=device)
        w_bg = torch.zeros_like(w_fg)
        for i, sample in enumerate(data_samples):
            batch_h, batch_w = _shape_of(sample, 'batch_input_shape', (height, width))
            img_h, img_w = _shape_of(sample, 'img_shape', (batch_h, batch_w))
            # Cells per input pixel: the feature map covers the padded batch input.
            sy, sx = height / batch_h, width / batch_w
            valid = torch.zeros(height, width, dtype=torch.bool, device=device)
            # A cell partly on the image is valid (ceil); the tolerance absorbs float noise.
            valid_h = max(1, math.ceil(img_h * sy - 1e-6))
            valid_w = max(1, math.ceil(img_w * sx - 1e-6))
            valid[:valid_h, :valid_w] = True

            fg = torch.zeros(height, width, device=device)
            boxes = self._boxes_of(sample, i).to(device=device, dtype=torch.float32)
            if boxes.numel():
                in_x = _box_cells(boxes[:, 0] * sx, boxes[:, 2] * sx, width, self.fg_cells)
                in_y = _box_cells(boxes[:, 1] * sy, boxes[:, 3] * sy, height, self.fg_cells)
                masks = (in_y[:, :, None] & in_x[:, None, :]).float()  # (N, H, W)
                if self.fg_norm == 'box':
                    areas = (_box_extent(boxes[:, 0] * sx, boxes[:, 2] * sx, in_x, self.fg_cells) *
                             _box_extent(boxes[:, 1] * sy, boxes[:, 3] * sy, in_y, self.fg_cells))
                    fg = (masks / areas[:, None, None]).amax(dim=0)  # areas ≥ 1
                else:
                    fg = masks.amax(dim=0)
                    fg = fg / fg.sum().clamp(min=1.0)
            fg = fg * valid
            bg = (valid & (fg == 0)).float()
            w_fg[i] = fg
            w_bg[i] = bg / bg.sum().clamp(min=1.0)
        return w_fg, w_bg

    @staticmethod
    def _boxes_of(sample, index: int) -> Tensor:
        instances = getattr(sample, 'gt_instances', None)
        if instances is None or 'bboxes' not in instances:
            raise ValueError(
                f'FGDFeatureLoss needs the ground-truth boxes, but data_samples[{index}] '
                f'({type(sample).__name__}) has no gt_instances.bboxes; use it on detection '
                f'batches.')
        boxes = instances.bboxes
        # mmdet may hold boxes as a HorizontalBoxes object; its .tensor is the (N, 4) xyxy tensor.
        return getattr(boxes, 'tensor', boxes).reshape(-1, 4)

    # ------------------------------------------------------------------ loss
    def attention(self, teacher: Tensor) -> Tuple[Tensor, Tensor]:
        """Spatial ``(B, H, W)`` and channel ``(B, C)`` attention of a teacher map (mean 1 each)."""
        b, c, h, w = teacher.shape
        magnitude = teacher.abs()
        spatial = (magnitude.mean(dim=1).reshape(b, -1) / self.temperature).softmax(dim=1)
        channel = (magnitude.mean(dim=(2, 3)) / self.temperature).softmax(dim=1)
        return (h * w) * spatial.reshape(b, h, w), c * channel

    def compute(self, student: Tensor, teacher: Tensor,
                data_samples: Optional[List] = None) -> Tensor:
        """Return the unweighted loss ``α·fg + β·bg``.

        Args:
            student (Tensor): Student feature map ``(B, C, H, W)`` (after the connector).
            teacher (Tensor): Teacher feature map, same shape.
            data_samples (list): The batch's detection data samples (boxes and image shapes).

        Returns:
            Tensor: A scalar.
        """
        check_pair_shapes(student, teacher, type(self).__name__, dims=(4, ))
        if not data_samples or len(data_samples) != student.shape[0]:
            got = 'none' if not data_samples else len(data_samples)
            raise ValueError(f'FGDFeatureLoss needs one detection data sample per image: got '
                             f'{got} for a batch of {student.shape[0]}; the distiller passes them '
                             f'to losses whose `needs_data_samples` is True.')
        # Fixed weights: the student cannot lower the loss by moving the teacher's attention.
        spatial, channel = self.attention(teacher.detach())
        error = ((student - teacher).pow(2) * channel[:, :, None, None]).mean(dim=1) * spatial
        w_fg, w_bg = self.region_weights(data_samples, student.shape[2], student.shape[3],
                                         student.device)
        fg = (error * w_fg).sum(dim=(1, 2)).mean()
        bg = (error * w_bg).sum(dim=(1, 2)).mean()
        return self.alpha * fg + self.beta * bg
