"""Small helpers shared by the distillation losses."""
from typing import Optional, Sequence

import torch
from torch import Tensor


def check_pair_shapes(student: Tensor,
                      teacher: Tensor,
                      loss_name: str,
                      dims: Optional[Sequence[int]] = None) -> None:
    """Raise a ValueError naming both shapes unless the pair is usable by ``loss_name``.

    Every distance here compares the two tensors element by element, so a mismatch is always a
    configuration error (a missing projector, a wrong recorded layer); failing here with both shapes
    is far clearer than a broadcasting error deep inside a softmax.

    Args:
        student (Tensor): The student tensor.
        teacher (Tensor): The teacher tensor.
        loss_name (str): Name shown in the message (normally the loss class name).
        dims (Sequence[int], optional): The accepted numbers of dimensions, e.g. ``(2, 4)``.
            ``None`` accepts any number.

    Raises:
        ValueError: If the shapes differ or the number of dimensions is not in ``dims``.
    """
    shapes = f'student {tuple(student.shape)} vs teacher {tuple(teacher.shape)}'
    if student.shape != teacher.shape:
        raise ValueError(f'{loss_name}: the student and teacher shapes differ: {shapes}')
    if dims is not None and student.dim() not in tuple(dims):
        accepted = ' or '.join(f'{d}-D' for d in dims)
        raise ValueError(f'{loss_name} expects {accepted} inputs, got {shapes}')


def gt_labels_from_data_samples(data_samples: Optional[Sequence], device: torch.device) -> Tensor:
    """Collect the single-label ground truth of a classification batch.

    mmpretrain 1.x stores one 1-element LongTensor ``gt_label`` per :class:`DataSample`.

    Args:
        data_samples (Sequence, optional): The batch's data samples, one per image, each with a
            ``gt_label`` field.
        device (torch.device): Device of the returned labels (that of the logits).

    Returns:
        Tensor: ``(B,)`` LongTensor of class indices.

    Raises:
        ValueError: If ``data_samples`` is None or empty, or a sample has no ``gt_label``.
    """
    if data_samples is None or len(data_samples) == 0:
        raise ValueError('This loss needs the ground-truth labels, but no data_samples were passed; '
                         'the distiller must pass the batch data samples to losses whose '
                         '`needs_data_samples` is True.')
    labels = []
    for i, sample in enumerate(data_samples):
        # DataSample raises AttributeError for an unset field; getattr's default covers it.
        label = getattr(sample, 'gt_label', None)
        if label is None:
            raise ValueError(f'data_samples[{i}] ({type(sample).__name__}) has no `gt_label`; '
                             'this loss needs single-label classification ground truth '
                             '(e.g. mmpretrain DataSample().set_gt_label(...)).')
        labels.append(torch.as_tensor(label).reshape(-1))
    return torch.cat(labels).to(device=device, dtype=torch.long)
