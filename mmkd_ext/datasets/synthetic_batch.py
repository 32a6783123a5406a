"""Synthetic data batches for any detector, segmentor or classifier (timing, inspection, tests)."""
from typing import Dict, List, Tuple

import torch
import torch.nn as nn


def task_of(model: nn.Module) -> str:
    """``'det'``, ``'seg'`` or ``'cls'`` for an mmdet / mmseg / mmpretrain model."""
    names = {cls.__module__.split('.')[0] for cls in type(model).__mro__}
    for package, task in (('mmdet', 'det'), ('mmseg', 'seg'), ('mmpretrain', 'cls')):
        if package in names:
            return task
    raise TypeError(f'{type(model).__name__} is not an mmdet detector, mmseg segmentor or mmpretrain '
                    f'classifier.')


def num_classes_of(model: nn.Module, task: str) -> int:
    """The number of classes the model predicts (best effort over the common heads)."""
    if task == 'seg':
        return model.decode_head.num_classes
    for owner in ('head', 'bbox_head', 'roi_head.bbox_head'):
        module = model
        for part in owner.split('.'):
            module = getattr(module, part, None)
        if module is not None and hasattr(module, 'num_classes'):
            return module.num_classes
    return 10


def fake_batch(model: nn.Module, batch_size: int, size: Tuple[int, int],
               seed: int = 0) -> Dict[str, list]:
    """A random data batch in the format the model's data preprocessor expects.

    Args:
        model (nn.Module): A detector, segmentor or classifier (or a distiller's student).
        batch_size (int): Number of images.
        size (tuple): ``(H, W)`` of every image.
        seed (int): Seed of the local generator (the global RNG is untouched).

    Returns:
        dict: ``{'inputs': [uint8 (3, H, W)] * B, 'data_samples': [...]}`` with ground truth
        (boxes for detection, masks for segmentation, labels for classification).
    """
    task = task_of(model)
    num_classes = num_classes_of(model, task)
    gen = torch.Generator().manual_seed(seed)
    h, w = size
    inputs: List[torch.Tensor] = [
        torch.randint(0, 256, (3, h, w), generator=gen, dtype=torch.uint8) for _ in range(batch_size)
    ]
    samples = [_fake_sample(task, num_classes, h, w, gen) for _ in range(batch_size)]
    return dict(inputs=inputs, data_samples=samples)


def _fake_sample(task: str, num_classes: int, h: int, w: int, gen: torch.Generator):
    meta = dict(img_shape=(h, w), ori_shape=(h, w), pad_shape=(h, w), scale_factor=(1.0, 1.0),
                batch_input_shape=(h, w))
    if task == 'det':
        from mmdet.structures import DetDataSample
        from mmengine.structures import InstanceData
        n = 3
        xy = torch.rand(n, 2, generator=gen) * torch.tensor([w * 0.6, h * 0.6])
        wh = (torch.rand(n, 2, generator=gen) * 0.3 + 0.1) * torch.tensor([w, h])
        sample = DetDataSample(metainfo=meta)
        sample.gt_instances = InstanceData(
            bboxes=torch.cat([xy, xy + wh], dim=1),
            labels=torch.randint(0, num_classes, (n, ), generator=gen))
        return sample
    if task == 'seg':
        from mmengine.structures import PixelData
        from mmseg.structures import SegDataSample
        sample = SegDataSample(metainfo=meta)
        sample.gt_sem_seg = PixelData(
            data=torch.randint(0, num_classes, (1, h, w), generator=gen, dtype=torch.long))
        return sample
    from mmpretrain.structures import DataSample
    label = int(torch.randint(0, num_classes, (1, ), generator=gen))
    return DataSample(metainfo=meta).set_gt_label(label)
