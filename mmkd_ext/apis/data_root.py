"""``--cfg-options data_root=DIR`` for any config: every field the parse baked the old root into."""
import os
import os.path as osp
from typing import Any


def _replace_root(path: str, old_root: str, new_root: str) -> str:
    """Re-base ``path`` from ``old_root`` to ``new_root`` (unchanged when not under it)."""
    old = osp.normpath(old_root)
    norm = osp.normpath(path)
    if norm == old or norm.startswith(old + os.sep):
        return osp.join(new_root, osp.relpath(norm, old))
    return path


def set_data_root(cfg: Any, data_root: str) -> Any:
    """Point the dataloaders and evaluators of a config at another data folder, in place.

    Old-style configs bake ``data_root`` into several fields when they are parsed (each
    dataset's ``data_root`` and, for COCO, the evaluator's ``ann_file``), so overriding the
    top-level variable afterwards changes nothing. This rewrites all of them; it works on an
    ``mmengine.Config`` or on plain nested dicts.

    Args:
        cfg (Config | dict): A parsed config.
        data_root (str): The new data folder.

    Returns:
        Config | dict: ``cfg`` itself, for chaining.
    """
    if not data_root.endswith('/'):
        data_root += '/'
    old_roots = []

    def fix_dataset(ds: Any) -> None:
        if not isinstance(ds, dict):
            return
        if 'data_root' in ds:
            if ds['data_root']:
                old_roots.append(ds['data_root'])
            ds['data_root'] = data_root
        # Dataset wrappers (RepeatDataset, ConcatDataset, ...) nest their datasets.
        fix_dataset(ds.get('dataset'))
        for sub in ds.get('datasets', []) or []:
            fix_dataset(sub)

    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key) if hasattr(cfg, 'get') else None
        if isinstance(loader, dict):
            fix_dataset(loader.get('dataset'))
    if 'data_root' in cfg:
        old_roots.append(cfg['data_root'])
        cfg['data_root'] = data_root
    for key in ('val_evaluator', 'test_evaluator'):
        evaluators = cfg.get(key) if hasattr(cfg, 'get') else None
        if evaluators is None:
            continue
        for ev in evaluators if isinstance(evaluators, (list, tuple)) else [evaluators]:
            if isinstance(ev, dict) and ev.get('ann_file'):
                for old in old_roots:
                    new = _replace_root(ev['ann_file'], old, data_root)
                    if new != ev['ann_file']:
                        ev['ann_file'] = new
                        break
    return cfg
