"""Run any config of configs/ for a step on CPU: nothing downloaded, no data set needed.

:func:`load` reads a config and fits it to a tiny synthetic batch: the teacher is random
(``model.teacher.checkpoint=None``), pretrained initialisations are stripped (``init_weights`` is
never called either), and a segmentor pads to the test size instead of its 512 x 1024 crop.
:func:`build` builds the model as MMEngine's Runner does (:func:`mmkd_ext.apis.build_model`, which
merges a top-level ``data_preprocessor``), with random in-memory class means for every ND loss.
:func:`train_step` runs one step of the config's optimizer on :func:`mmkd_ext.datasets.fake_batch`.
:func:`train_and_validate` runs a toy config through the Runner itself, on the toy data.
"""
import copy
import functools
import glob
import math
import os
import os.path as osp
from typing import Dict, List, Tuple

import torch
from helpers.runs import REPO_ROOT

CONFIG_ROOT = osp.join(REPO_ROOT, 'configs')
TASKS = {'mmdet': 'det', 'mmseg': 'seg', 'mmpretrain': 'cls'}
# Two images: the least the vector DiffKD and NDProjector accept (batch statistics).
BATCH = 2
# Every FPN level of a stride-128 detector still exists at 64 x 64 (P7 is 1 x 1); segmentation
# logits are 8 x 16; CIFAR-100 and the toy classification set are 32 x 32 images.
SIZES = {'det': (64, 64), 'seg': (64, 128), 'cls': (64, 64), 'small-cls': (32, 32)}
# Deformable convolutions (the RepPoints X101 teacher's backbone) need at least a 3 x 3 map at
# stride 32.
DCN_DET_SIZE = (96, 96)


@functools.lru_cache(maxsize=None)
def parsed(path: str):
    """The parsed config (cached: do not modify it, :func:`load` returns a copy)."""
    from mmengine.config import Config
    return Config.fromfile(path)


def is_complete(path: str) -> bool:
    """A config that trains on its own (a model, data and an optimizer), not a fragment."""
    cfg = parsed(path)
    return bool(cfg.get('model', {}).get('type')) and all(
        key in cfg for key in ('train_dataloader', 'optim_wrapper'))


def every_config() -> List[str]:
    """Every config a user can train: each ``configs/**/*.py`` outside a ``_base_`` folder, and
    the complete configs of ``configs/_base_`` (students that no toolbox ships)."""
    leaves = [p for p in glob.glob(osp.join(CONFIG_ROOT, '**', '*.py'), recursive=True)
              if '_base_' not in osp.relpath(p, CONFIG_ROOT).split(os.sep)]
    students = [p for p in glob.glob(osp.join(CONFIG_ROOT, '_base_', '*.py')) if is_complete(p)]
    return sorted(leaves + students)


def config_id(path: str) -> str:
    """``folder/name`` without ``.py``: a short, unique test id."""
    return osp.relpath(path, CONFIG_ROOT)[:-len('.py')]


def task_of(cfg) -> str:
    return TASKS[cfg.default_scope]


def is_distillation(cfg) -> bool:
    return 'teacher' in cfg.model


def input_size(path: str, cfg) -> Tuple[int, int]:
    """The synthetic image size for a config."""
    task = task_of(cfg)
    name = osp.basename(path)
    if task == 'cls' and ('cifar100' in name or 'toy-cls' in name):
        return SIZES['small-cls']
    teacher = cfg.model.get('teacher', {}).get('config') or ''
    return DCN_DET_SIZE if task == 'det' and 'dconv' in teacher else SIZES[task]


def strip_pretrained(node):
    """Remove every pretrained-weights reference from a (nested) model config, in place."""
    if isinstance(node, dict):
        if node.get('pretrained') is not None:
            node['pretrained'] = None
        init = node.get('init_cfg')
        if isinstance(init, dict) and init.get('type') == 'Pretrained':
            node['init_cfg'] = None
        elif isinstance(init, list):
            node['init_cfg'] = [c for c in init if c.get('type') != 'Pretrained'] or None
        for value in node.values():
            strip_pretrained(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            strip_pretrained(value)
    return node


def load(path: str):
    """A copy of the config, fitted to the synthetic batches (see the module docstring)."""
    cfg = copy.deepcopy(parsed(path))
    if is_distillation(cfg):
        cfg.model.teacher.checkpoint = None
    strip_pretrained(cfg.model)
    preprocessor = cfg.model.get('student', cfg.model).get('data_preprocessor') or {}
    if preprocessor.get('size') is not None:  # a segmentor pads every batch to its crop size
        preprocessor['size'] = input_size(path, cfg)
    return cfg


def build(cfg) -> torch.nn.Module:
    """The model of ``cfg`` as the Runner builds it, in training mode, weights never loaded."""
    from mmengine.registry import DefaultScope

    import mmkd_ext  # noqa: F401  (the distillers, connectors, losses and backbones)
    from mmkd_ext.apis import build_model
    from mmkd_ext.nd import NDLoss
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = build_model(cfg)
    generator = torch.Generator().manual_seed(0)
    for module in model.modules():
        if isinstance(module, NDLoss):  # random class means of the expected shape
            expected = module.expected
            module.set_class_means(
                torch.randn(expected['num_classes'], expected['embed_dim'], generator=generator))
    return model.train()


def train_step(model: torch.nn.Module, cfg, size: Tuple[int, int],
               batch_size: int = BATCH) -> Dict[str, float]:
    """One ``train_step`` with the config's optimizer on a synthetic batch; the log variables."""
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import DefaultScope

    from mmkd_ext.datasets import fake_batch
    student = getattr(model, 'student', model)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        optim_wrapper = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
        log_vars = model.train_step(fake_batch(student, batch_size, size), optim_wrapper)
    return {k: float(v.detach()) if torch.is_tensor(v) else float(v) for k, v in log_vars.items()}


def all_finite(log_vars: Dict[str, float]) -> bool:
    return all(math.isfinite(v) for v in log_vars.values())


def train_and_validate(path: str, data_root: str, work_dir: str, iters: int = 2):
    """Train a toy config for ``iters`` iterations through MMEngine's Runner, then validate.

    Returns the log variables of every training iteration and the validation metrics.
    """
    from mmengine.hooks import Hook
    from mmengine.runner import Runner

    from mmkd_ext.apis import set_data_root

    class LossRecorder(Hook):
        """Keeps the log variables (losses) of every training iteration."""

        def __init__(self) -> None:
            self.records: List[Dict[str, float]] = []

        def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
            self.records.append({k: float(v) for k, v in (outputs or {}).items()})

    cfg = copy.deepcopy(parsed(path))
    set_data_root(cfg, data_root)
    cfg.work_dir = work_dir
    cfg.train_cfg.max_iters = iters
    # The tests' toy set holds fewer classification images than a batch (drop_last).
    cfg.train_dataloader.batch_size = min(cfg.train_dataloader.batch_size, 4)
    # No validation inside train(): it runs once below, where its metrics are returned.
    cfg.train_cfg.val_begin = 10**9
    cfg.default_hooks.logger.interval = 1
    cfg.default_hooks.checkpoint = None  # saves time; the hook itself is stock
    cfg.log_level = 'WARNING'
    # After 2 iterations no detection may pass the score threshold, and CocoMetric then returns
    # no keys at all: keep every box so that the metric is always computed.
    test_cfg = cfg.model.get('test_cfg') or {}
    if 'score_thr' in test_cfg:
        test_cfg['score_thr'] = 0.0
    if 'score_thr' in (test_cfg.get('rcnn') or {}):
        test_cfg['rcnn']['score_thr'] = 0.0
    runner = Runner.from_cfg(cfg)
    recorder = LossRecorder()
    runner.register_hook(recorder, priority='LOWEST')
    runner.train()
    return recorder.records, runner.val()
