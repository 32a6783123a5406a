"""Student-only export: the distiller's student as a plain mmdet / mmseg / mmpretrain checkpoint.

Where a student goes, mmkd_ext is usually not installed: neither the exported config nor the
exported weights may need it. The config loses the ``mmkd_ext`` import and the distillation hooks;
the weights' ``meta`` holds plain Python values only, so torch's ``weights_only`` loader accepts
it without mmkd_ext's allow-list.
"""
import copy
import os.path as osp
from typing import Any, List, Optional

import numpy as np
import torch
from mmengine.config import Config

from ..registry import find_model_class
from ..checkpoint import load_checkpoint_file

STUDENT_PREFIX = 'student.'
PACKAGE = 'mmkd_ext'
# mmkd_ext's hooks; the exported student config drops them (it must load without mmkd_ext).
DISTILLATION_HOOKS = ('StudentCheckpointHook', 'ClassMeansHook', 'DistillLossWarmupHook',
                      'RandomStateHook')


def student_checkpoint(checkpoint: dict, source: str = '') -> dict:
    """Strip a distiller checkpoint down to the student.

    Keeps ``meta`` (``dataset_meta`` is what the toolboxes' inference APIs read) and drops the
    optimizer, the connectors, the losses and the message hub.

    Args:
        checkpoint (dict): A loaded distiller checkpoint (``{'meta':..., 'state_dict':...}``).
        source (str): Where it came from, recorded in ``meta['exported_from']``.

    Returns:
        dict: ``{'meta': ..., 'state_dict': student weights with plain keys}``.
    """
    state = checkpoint.get('state_dict', checkpoint)
    student = {k[len(STUDENT_PREFIX):]: v for k, v in state.items() if k.startswith(STUDENT_PREFIX)}
    if not student:
        sample = list(state)[:5]
        raise ValueError(f'No "{STUDENT_PREFIX}*" keys in {source or "the checkpoint"} (first keys: '
                         f'{sample}): it is not a FeatureDistiller checkpoint.')
    meta = checkpoint.get('meta', {}) if isinstance(checkpoint.get('meta'), dict) else {}
    meta = {k: plain_value(v) for k, v in meta.items() if k != 'cfg'}  # cfg: the distiller's
    meta['exported_from'] = osp.basename(source) if source else None
    return dict(meta=meta, state_dict=student)


def plain_value(value: Any) -> Any:
    """``value`` with numpy scalars and arrays turned into Python numbers and lists.

    MMEngine writes numpy values into ``meta`` (e.g. the seed); torch's ``weights_only`` loader
    refuses them unless they are allow-listed, as importing mmkd_ext does. The export must load
    without mmkd_ext.
    """
    if isinstance(value, dict):
        return {k: plain_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(plain_value(v) for v in value)
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    return copy.deepcopy(value)


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

    ``model`` becomes the student's model dict, the distillation hooks are dropped and so is
    ``mmkd_ext`` from ``custom_imports``, so the result works with ``init_detector`` /
    ``init_model`` / the stock train and test scripts where mmkd_ext is not installed. Only a
    student built from mmkd_ext's own backbones (e.g. ``CIFARResNet``) keeps the import: it
    cannot be built without it.
    """
    out = copy.deepcopy(cfg)
    out.model = out.model.student
    hooks = [h for h in out.get('custom_hooks', []) or [] if h.get('type') not in DISTILLATION_HOOKS]
    out.custom_hooks = hooks
    out.load_from = None
    imports = out.get('custom_imports')
    if imports:
        modules = imports.get('imports', [])
        modules = [modules] if isinstance(modules, str) else list(modules)
        kept = [m for m in modules if m.split('.')[0] != PACKAGE]
        if len(kept) < len(modules) and own_types(out.model, out.get('default_scope')):
            kept.append(PACKAGE)
        if kept:
            out.custom_imports = dict(imports, imports=kept)
        else:
            out.pop('custom_imports')
    return out


def own_types(model: Any, scope: Optional[str]) -> List[str]:
    """The ``type`` names in a model dict that resolve to classes defined in mmkd_ext.

    Args:
        model (dict): A model config (nested dicts and lists).
        scope (str, optional): The registry scope the names are looked up in.

    Returns:
        list[str]: The names, in the order found.
    """
    names: List[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get('type'), str):
                names.append(node['type'])
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)

    walk(model)
    classes = {name: find_model_class(name, scope) for name in names}
    return [name for name, cls in classes.items()
            if isinstance(cls, type) and cls.__module__.split('.')[0] == PACKAGE]
