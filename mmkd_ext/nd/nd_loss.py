"""The ND loss (feature Norm and Direction), Wang et al., arXiv 2305.17007."""
import os.path as osp
from typing import Any, Dict, List, Optional

import torch
from torch import Tensor

from ..losses.base import BaseDistillLoss
from ..losses.utils import gt_labels_from_data_samples
from ..registry import MODELS
from ..utils.amp import fp32_region
from .class_means_file import check_class_means_record, read_class_means


def as_embeddings(x: Tensor, who: str, user: str = 'ND loss') -> Tensor:
    """``(N, D)`` stays, ``(N, D, 1, 1)`` becomes ``(N, D)``; anything else is an error.

    Args:
        x (Tensor): A pooled feature.
        who (str): ``'student'`` or ``'teacher'``, for the error message.
        user (str): What expects the embeddings, for the error message.
    """
    if x.dim() == 2:
        return x
    if x.dim() > 2 and all(s == 1 for s in x.shape[2:]):
        return x.flatten(1)
    raise ValueError(f'{user} expects pooled {who} embeddings (N, D) or (N, D, 1, 1), got shape '
                     f'{tuple(x.shape)}; record the globally pooled feature (e.g. the neck output).')


def nd_loss(student: Tensor,
            teacher: Tensor,
            labels: Tensor,
            class_means: Tensor,
            eps: float = 1e-12) -> Tensor:
    """Unweighted ND loss: ``mean_i [1 − ⟨s_i, e_{y_i}⟩ / max(‖s_i‖, ‖t_i‖)]`` with ``e = c/‖c‖``.

    Shared by :class:`NDLoss` (classification: labels from the data samples) and the detection RoI
    path (labels of the sampled RoIs, background = index K). When ``‖s‖ < ‖t‖`` a term equals
    ``1 − (‖s‖/‖t‖)·cos(s, c)`` and pulls both the direction toward the class mean and the norm up to
    the teacher's; when ``‖s‖ ≥ ‖t‖`` it is ``1 − cos(s, c)``.

    Args:
        student (Tensor): ``(N, D)`` student embeddings (after the ND projector if any), not
            normalised.
        teacher (Tensor): ``(N, D)`` teacher embeddings of the same inputs; only their per-sample norms
            are used, and no gradient flows into them.
        labels (Tensor): ``(N,)`` ground-truth class indices in ``[0, K)`` (never teacher predictions).
        class_means (Tensor): ``(K, D)`` unnormalised teacher class means.
        eps (float): Lower bound of the norms, so a zero vector never divides by zero. A zero class
            mean gives a zero direction, i.e. a constant term of 1 with no gradient.

    Returns:
        Tensor: A scalar in ``[0, 2]`` (0 for an empty batch, still attached to ``student``).
    """
    student = as_embeddings(student, 'student')
    teacher = as_embeddings(teacher, 'teacher')
    labels = labels.reshape(-1)
    n, dim = student.shape
    if teacher.shape[0] != n or labels.numel() != n:
        raise ValueError(f'ND loss: student {tuple(student.shape)}, teacher {tuple(teacher.shape)} and '
                         f'{labels.numel()} labels do not describe the same samples')
    if class_means.dim() != 2 or class_means.shape[1] != dim or teacher.shape[1] != dim:
        raise ValueError(f'ND loss: student {tuple(student.shape)} and teacher {tuple(teacher.shape)} '
                         f'embeddings must both have the class means\' width D (class means '
                         f'{tuple(class_means.shape)}); put an NDProjector on the student when its '
                         'width differs from the teacher\'s, and check the recorded teacher layer.')
    if n == 0:
        return student.sum() * 0.0
    num_classes = class_means.shape[0]
    # An out-of-range index is a device-side assert on CUDA; fail here with the numbers instead.
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or high >= num_classes:
        raise ValueError(f'ND loss: labels must lie in [0, {num_classes}) (the class means have '
                         f'{num_classes} rows), got range [{low}, {high}]')
    centers = class_means.to(device=student.device, dtype=student.dtype)[labels.long()]  # (N, D)
    directions = centers / centers.norm(dim=1, keepdim=True).clamp_min(eps)
    s_norm = student.norm(dim=1)                      # (N,)
    t_norm = teacher.detach().norm(dim=1)             # (N,) per-sample TEACHER norm, not ‖c_y‖
    denom = torch.maximum(s_norm, t_norm).clamp_min(eps)
    return (1.0 - (student * directions).sum(dim=1) / denom).mean()


@MODELS.register_module()
class NDLoss(BaseDistillLoss):
    """ND loss on the pooled student embedding, using the teacher's class means (see :func:`nd_loss`).

    Class means come from a class-means file (:mod:`mmkd_ext.nd.class_means_file`) and live in the
    non-persistent buffer :attr:`class_means` (``(K, D)`` float32): they are never written to
    checkpoints, so a resumed or exported student does not carry them, and they follow the module's
    device like any buffer.

    When the file is loaded:

    * at construction, if ``class_means`` names an existing file and ``lazy_load`` is False;
    * otherwise at the first forward (the file may not exist yet because a before-train hook computes
      it after the model is built), or earlier through an explicit :meth:`load` call (which the hook
      should make right after writing the file, to re-read a file it replaced).

    Every load checks the file's record against the expected fields given here (``num_classes``,
    ``embed_dim``, ``layer``, ``teacher_digest``) and any added later with :meth:`update_expected`;
    a mismatch raises a ValueError naming the field.

    Labels are the ground-truth ``gt_label`` of the batch's data samples. For the detection RoI path,
    where labels are those of the sampled RoIs, use :meth:`loss_from_labels`.

    Args:
        class_means (str, optional): Path of the class-means file. ``None``: the means must be given
            with :meth:`set_class_means` or :meth:`load` before the first forward.
        num_classes (int, optional): Expected K (K + 1 for detection, background included).
        embed_dim (int, optional): Expected D (the teacher embedding width).
        loss_weight (float): β, the multiplier of the loss. Defaults to 1.0.
        layer (str, optional): Expected teacher layer recorded in the file.
        teacher_digest (str, optional): Expected teacher digest (see
            :func:`mmkd_ext.nd.class_means_file.teacher_digest`).
        lazy_load (bool): Never load at construction, even if the file exists; use it when a
            before-train hook (re)writes the file, so that a stale file cannot fail the build.
            Defaults to False.
        eps (float): Lower bound of the norms. Defaults to 1e-12.
    """

    needs_data_samples = True

    def __init__(self,
                 class_means: Optional[str] = None,
                 num_classes: Optional[int] = None,
                 embed_dim: Optional[int] = None,
                 loss_weight: float = 1.0,
                 layer: Optional[str] = None,
                 teacher_digest: Optional[str] = None,
                 lazy_load: bool = False,
                 eps: float = 1e-12) -> None:
        super().__init__(loss_weight=loss_weight)
        self.class_means_path = class_means
        self.eps = eps
        self.expected: Dict[str, Any] = {}
        #: Metadata of the loaded file (everything but the tensors), or None.
        self.class_means_meta: Optional[Dict[str, Any]] = None
        self.update_expected(num_classes=num_classes, embed_dim=embed_dim, layer=layer,
                             teacher_digest=teacher_digest)
        # persistent=False: the means are derived data tied to the teacher, not student weights.
        self.register_buffer('class_means', None, persistent=False)
        if class_means is not None and not lazy_load and osp.isfile(class_means):
            self.load()

    def update_expected(self, **fields: Any) -> None:
        """Add expected file fields (e.g. ``teacher_digest`` once the distiller knows the teacher).

        ``None`` values are ignored. If class means from a file are already loaded they are checked
        at once.

        Raises:
            ValueError: If a loaded file's record differs from a new expectation.
        """
        new = {k: v for k, v in fields.items() if v is not None}
        check_class_means_record({}, {k: None for k in new})  # rejects unknown field names early
        self.expected.update(new)
        if self.class_means_meta is not None:
            check_class_means_record(self.class_means_meta, self.expected, self.class_means_path)

    def load(self, path: Optional[str] = None) -> Tensor:
        """(Re)load the class means from ``path`` (default: the configured file), checking them.

        Args:
            path (str, optional): Overrides and replaces the configured path.

        Returns:
            Tensor: The loaded ``(K, D)`` means (also stored in :attr:`class_means`).
        """
        if path is not None:
            self.class_means_path = path
        if self.class_means_path is None:
            raise ValueError('NDLoss.load(): no class-means file configured (class_means=None).')
        record = read_class_means(self.class_means_path)
        check_class_means_record(record, self.expected, self.class_means_path)
        self.class_means_meta = {k: v for k, v in record.items() if not isinstance(v, Tensor)}
        means = record['class_means'].float()
        if self.class_means is not None:  # a reload keeps the device the module was moved to
            means = means.to(self.class_means.device)
        self.class_means = means
        return self.class_means

    def set_class_means(self, class_means: Tensor) -> None:
        """Use in-memory class means (e.g. computed by a hook) instead of a file.

        Args:
            class_means (Tensor): ``(K, D)``; checked against the expected ``num_classes`` /
                ``embed_dim``.
        """
        if class_means.dim() != 2:
            raise ValueError(f'class_means must be (K, D), got {tuple(class_means.shape)}')
        meta = {'num_classes': class_means.shape[0], 'embed_dim': class_means.shape[1]}
        check_class_means_record(meta, {k: self.expected.get(k) for k in meta}, '<in-memory means>')
        self.class_means_meta = None
        self.class_means = class_means.detach().float().clone()

    def get_class_means(self, device: torch.device) -> Tensor:
        """The ``(K, D)`` means on ``device``, loading the configured file first if needed."""
        if self.class_means is None:
            if self.class_means_path is None:
                raise RuntimeError('NDLoss has no class means: set class_means=<file> in the config '
                                   'or call set_class_means()/load() before training.')
            if not osp.isfile(self.class_means_path):
                raise FileNotFoundError(
                    f'NDLoss: class-means file {self.class_means_path!r} does not exist at the first '
                    'forward. Compute it with tools/compute_class_means.py, or enable the before-train '
                    'class-means hook that writes it.')
            self.load()
        if self.class_means.device != device:
            self.class_means = self.class_means.to(device)  # stays a buffer: assigned by name
        return self.class_means

    def compute(self, student: Tensor, teacher: Tensor,
                data_samples: Optional[List] = None) -> Tensor:
        """Return the unweighted ND loss.

        Args:
            student (Tensor): ``(B, D)`` student embeddings (after the ND projector if any).
            teacher (Tensor): ``(B, D)`` teacher embeddings.
            data_samples (list): The batch's data samples with ``gt_label``.

        Returns:
            Tensor: A scalar.
        """
        labels = gt_labels_from_data_samples(data_samples, student.device)
        return nd_loss(student, teacher, labels, self.get_class_means(student.device), self.eps)

    def loss_from_labels(self, student: Tensor, teacher: Tensor, labels: Tensor) -> Tensor:
        """Weighted ND loss with explicit labels (the detection RoI path), in fp32 like forward().

        Args:
            student (Tensor): ``(N, D)`` student RoI embeddings.
            teacher (Tensor): ``(N, D)`` teacher embeddings of the same RoIs.
            labels (Tensor): ``(N,)`` RoI labels, background = ``num_classes - 1`` of the K + 1 means
                (mmdet's background index equals its number of foreground classes).

        Returns:
            Tensor: ``loss_weight`` × the ND loss.
        """
        with fp32_region(student):
            loss = nd_loss(student.float(), teacher.float(), labels,
                           self.get_class_means(student.device), self.eps)
        return self.loss_weight * loss
