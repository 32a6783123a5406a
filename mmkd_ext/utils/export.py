"""Student-only export: the distiller's student as a plain mmdet / mmseg / mmpretrain checkpoint."""
import copy
import os.path as osp
from typing import Optional

import torch
from mmengine.config import Config

from .checkpoint import load_checkpoint_file

STUDENT_PREFIX = 'student.'
# Hooks that only make sense around a distiller; the exported student config drops them.
DISTILLATION_HOOKS = ('StudentCheckpointHook', 'ClassMeansHook', 'DistillLossWarmupHook')


def student_checkpoint(checkpoint: dict, source: str = '') -> dict:
    """Strip a distiller checkpoint down to the student.

    Keeps ``meta`` (``dataset_meta`` is what the toolboxes' inference APIs read) and drops the
    optimizer, the connectors, the losses and the message hub.

    Args:
        checkpoint (dict): A loaded distiller checkpoint (``{'meta':..., 'state_dict':...}``).
        source (str): Where it came from, recorded in ``meta['mmkd_ext']``.

    Returns:
        dict: ``{'meta': ..., 'state_dict': student weights with plain keys}``.
    """
    state = checkpoint.get('state_dict', checkpoint)
    student = {k[len(STUDENT_PREFIX):]: v for k, v in state.items() if k.startswith(STUDENT_PREFIX)}
    if not student:
        sample = list(state)[:5]
        raise ValueError(f'No "{STUDENT_PREFIX}*" keys in {source or "the checkpoint"} (first keys: '
                         f'{sample}): it is not a FeatureDistiller checkpoint.')
    meta = copy.deepcopy(checkpoint.get('meta', {})) if isinstance(checkpoint.get('meta'), dict) else {}
    meta.pop('cfg', None)  # the distiller's config would mislead a plain toolbox
    meta['mmkd_ext'] = dict(exported_from=osp.basename(source) if source else None)
    return dict(meta=meta, state_dict=student)


def export_student(src: str, dst: Optional[str] = None) -> str:
    """Write the student of distiller checkpoint ``src`` to ``dst`` (default ``<src>_student.pth``).

    Returns:
        str: The path written.
    """
    if dst is None:
        dst = osp.splitext(src)[0] + '_student.pth'
    checkpoint = load_checkpoint_file(src, map_location='cpu')
    torch.save(student_checkpoint(checkpoint, src), dst)
    return dst


def student_config(cfg: Config) -> Config:
    """Turn a distillation config into the student's plain training/inference config.

    ``model`` becomes the student's model dict and the distillation hooks are dropped, so the
    result works with ``init_detector`` / ``init_model`` / the stock train and test scripts.
    """
    out = copy.deepcopy(cfg)
    out.model = out.model.student
    hooks = [h for h in out.get('custom_hooks', []) or [] if h.get('type') not in DISTILLATION_HOOKS]
    out.custom_hooks = hooks
    out.load_from = None
    return out
