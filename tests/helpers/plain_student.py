"""An exported student as its toolbox loads it, without mmkd_ext, and what it predicts."""
from typing import List

import torch


def plain_reload(task: str, config: str, checkpoint: str) -> torch.nn.Module:
    """The exported student, loaded with the toolbox's own API (no mmkd_ext involved)."""
    if task == 'det':
        from mmdet.apis import init_detector
        return init_detector(config, checkpoint, device='cpu')
    if task == 'seg':
        from mmseg.apis import init_model
        return init_model(config, checkpoint, device='cpu')
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint
    from mmpretrain.models import build_classifier
    cfg = Config.fromfile(config)
    init_default_scope(cfg.default_scope)
    model = build_classifier(cfg.model)
    load_checkpoint(model, checkpoint, map_location='cpu', strict=True)
    return model.eval()


def prediction_tensors(task: str, sample) -> List[torch.Tensor]:
    if task == 'det':
        inst = sample.pred_instances
        return [inst.bboxes, inst.scores, inst.labels.float()]
    if task == 'seg':
        return [sample.seg_logits.data, sample.pred_sem_seg.data.float()]
    return [sample.pred_score]


def assert_same_predictions(task: str, distiller, plain, batch) -> None:
    """The distiller (its student) and the exported plain model predict the same on ``batch``.

    A nan would compare unequal to itself: it fails as such.
    """
    with torch.no_grad():
        ours = distiller.test_step(batch)
        theirs = plain.test_step(batch)
    for a, b in zip(ours, theirs):
        for x, y in zip(prediction_tensors(task, a), prediction_tensors(task, b)):
            assert not torch.isnan(x).any(), 'nan predictions'
            assert torch.equal(x, y), 'the plain reload predicts differently'
