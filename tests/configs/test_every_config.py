"""Every DiffKD config (configs/diffkd, the toy DiffKD configs) builds and trains one iteration.

On CPU, with tiny synthetic batches and a randomly initialised teacher: nothing is downloaded
(teacher checkpoints are dropped, pretrained initialisations removed, weights never initialised
from files). Also checks that every teacher checkpoint URL is the one the toolbox's model-zoo
metafile gives for that config. The recipe fields (optimizer, batch, schedule, weights, distances)
are checked against the paper's settings in tests/test_recipes.py.
"""
import copy
import functools
import glob
import math
import os.path as osp
from typing import Any, Dict, Tuple

import pytest
import torch

from helpers.runs import REPO_ROOT

DIFFKD_DIR = osp.join(REPO_ROOT, 'configs', 'diffkd')
DIFFKD_CONFIGS = sorted(glob.glob(osp.join(DIFFKD_DIR, '*.py')))
TOY_CONFIGS = sorted(glob.glob(osp.join(REPO_ROOT, 'configs', 'toy', 'diffkd_*.py')))
# Student configs written for DiffKD where the toolbox has none (trained as plain models too).
STUDENT_CONFIGS = [
    osp.join(REPO_ROOT, 'configs', '_base_', 'deeplabv3_r18-d8_4xb4-80k_ade20k-512x512.py')
]
TASKS = {'mmdet': 'det', 'mmseg': 'seg', 'mmpretrain': 'cls'}
# Small inputs: every FPN level of a stride-128 detector still exists (P7 is 1 x 1), the
# segmentation logits are 8 x 16. The batch of 2 is the least the vector DiffKD accepts.
SIZES = {'det': (64, 64), 'seg': (64, 128), 'cls': (64, 64)}
# Deformable convolutions (the RepPoints X101 teacher's backbone) need at least a 3 x 3 map at
# stride 32.
DCN_DET_SIZE = (96, 96)
BATCH = 2
# A loss every student of the task reports (mmpretrain's classification loss is called 'loss').
# (The distiller logs mmpretrain's classification loss, plain 'loss', as 'student.loss'.)
STUDENT_LOSS = {'det': 'loss_cls', 'seg': 'decode.loss_ce', 'cls': 'student.loss'}


@pytest.fixture(scope='module', autouse=True)
def single_thread():
    """One intra-op thread: on a shared 2-core machine, two OpenMP threads that wait for each other
    at every op's barrier made the tiny steps here 10x slower (18 s instead of 1.6 s per step)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _name(path: str) -> str:
    return osp.splitext(osp.basename(path))[0]


def _strip_pretrained(node: Any) -> Any:
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
            _strip_pretrained(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _strip_pretrained(value)
    return node


@functools.lru_cache(maxsize=None)
def _parsed(path: str):
    from mmengine.config import Config
    return Config.fromfile(path)


def _load(path: str):
    """A fresh copy of the parsed config (tests modify it) and its task."""
    cfg = copy.deepcopy(_parsed(path))
    return cfg, TASKS[cfg.default_scope]


def _diffkd_points(cfg) -> Dict[str, Any]:
    """The points of a distillation config whose connector is a DiffKDDenoiser."""
    return {name: point for name, point in cfg.model.distill_points.items()
            if point.get('connector', {}).get('type') == 'DiffKDDenoiser'}


def _shrink(model_cfg: dict, task: str) -> None:
    """Fit a student (or plain model) config to the tiny batches of this test."""
    _strip_pretrained(model_cfg)
    preprocessor = model_cfg.get('data_preprocessor') or {}
    if task == 'seg' and preprocessor.get('size') is not None:
        # The stock configs pad every batch to the 512 x 1024 crop; pad to the test size instead.
        preprocessor['size'] = SIZES['seg']


def _build(cfg, model_cfg: dict) -> torch.nn.Module:
    """Build a model config under its toolbox's scope, in training mode, without loading weights.

    As MMEngine's Runner does, a top-level ``data_preprocessor`` (stock mmpretrain configs) goes
    into the model dict. (The stock mmseg configs' SyncBN behaves as BatchNorm in a process
    without a process group.)
    """
    import mmkd_ext  # noqa: F401  (registers the distiller, connectors, losses, MobileNetV1)
    from mmengine.registry import MODELS, DefaultScope
    if cfg.get('data_preprocessor'):
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(model_cfg)
    return model.train()


def _input_size(cfg, task: str) -> Tuple[int, int]:
    """The synthetic image size for a config (larger for a teacher with deformable convs)."""
    teacher = cfg.model.get('teacher', {}).get('config') or ''
    return DCN_DET_SIZE if task == 'det' and 'dconv' in teacher else SIZES[task]


def _train_step(model: torch.nn.Module, cfg, task: str) -> Dict[str, float]:
    """One ``train_step`` with the config's optimizer on a synthetic batch; returns the log vars."""
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import DefaultScope

    from mmkd_ext.testing import fake_batch
    student = getattr(model, 'student', model)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
        batch = fake_batch(student, BATCH, _input_size(cfg, task))
        log_vars = model.train_step(batch, optim_wrapper)
    return {k: float(v.detach()) if torch.is_tensor(v) else float(v) for k, v in log_vars.items()}


@pytest.mark.parametrize('path', DIFFKD_CONFIGS + TOY_CONFIGS, ids=_name)
def test_diffkd_config_trains_one_iteration(path):
    """Build with a random teacher and run one training step: every loss exists and is finite."""
    cfg, task = _load(path)
    assert cfg.model.type == 'FeatureDistiller'
    assert cfg.custom_imports.imports == ['mmkd_ext']
    assert dict(type='StudentCheckpointHook') in cfg.custom_hooks
    cfg.model.teacher.checkpoint = None
    _shrink(cfg.model.student, task)
    torch.manual_seed(0)
    distiller = _build(cfg, cfg.model)
    log_vars = _train_step(distiller, cfg, task)

    # The student normalises its inputs, and the teacher (its own stock config) the same way.
    from mmkd_ext.distillers.teacher import normalisation_of
    assert normalisation_of(distiller.data_preprocessor)[0] is not None
    assert not distiller.teacher.renormalise

    assert all(math.isfinite(v) for v in log_vars.values()), log_vars
    diffkd_points = _diffkd_points(cfg)
    assert diffkd_points, 'a DiffKD config without a DiffKD point'
    for name, point in diffkd_points.items():
        assert f'distill.{name}.loss_diffusion' in log_vars, sorted(log_vars)
        if point.connector.get('latent_channels'):
            assert f'distill.{name}.loss_ae' in log_vars, sorted(log_vars)
    # Every point contributes its main distance, and the student keeps its own losses.
    for name in cfg.model.distill_points:
        assert any(k.startswith(f'distill.{name}.') and 'diffusion' not in k and '.loss_ae' not in k
                   for k in log_vars), (name, sorted(log_vars))
    assert STUDENT_LOSS[task] in log_vars, sorted(log_vars)


@pytest.mark.parametrize('path', STUDENT_CONFIGS, ids=_name)
def test_student_config_trains_one_iteration(path):
    """The student configs written here (no stock one exists) train as plain models."""
    cfg, task = _load(path)
    _shrink(cfg.model, task)
    model = _build(cfg, cfg.model)
    log_vars = _train_step(model, cfg, task)
    assert math.isfinite(log_vars['loss']), log_vars


def _metafile_weights(teacher_config: str) -> Dict[str, str]:
    """``{config file name: checkpoint URL}`` from the model-zoo metafile beside a stock config."""
    import importlib
    import yaml
    package, rel = teacher_config.split('::')
    root = osp.join(osp.dirname(importlib.import_module(package).__file__), '.mim', 'configs')
    folder = osp.join(root, osp.dirname(rel))
    found = {}
    for meta in glob.glob(osp.join(folder, 'metafile.y*ml')):
        with open(meta) as f:
            models = yaml.safe_load(f).get('Models', [])
        for model in models:
            if model.get('Weights'):
                found[osp.basename(model['Config'])] = model['Weights']
    return found


@pytest.mark.parametrize('path', DIFFKD_CONFIGS, ids=_name)
def test_teacher_checkpoint_is_the_zoo_one(path):
    """The teacher checkpoint is the one the toolbox's metafile lists for the teacher config."""
    cfg, _ = _load(path)
    teacher = cfg.model.teacher
    weights = _metafile_weights(teacher.config)
    assert weights.get(osp.basename(teacher.config)) == teacher.checkpoint, (
        f'{teacher.config}: metafile gives {weights.get(osp.basename(teacher.config))}')


def test_benchmark_times_the_points_alone(capsys):
    """tools/benchmark.py on the toy DiffKD config: the points-alone time and its ratio."""
    from helpers.runs import run_tool
    config = osp.join(REPO_ROOT, 'configs', 'toy', 'diffkd_resnet18w32-r18w8_toy-cls.py')
    run_tool('benchmark.py', [config, '--random-teacher', '--iters', '1', '--warmup', '0',
                              '--batch-size', '2', '--size', '32', '32', '--per-point',
                              '--threads', '1', '--clock', 'cpu'])
    out = capsys.readouterr().out
    assert 'points alone' in out and 'point feature' in out and 'point logits' in out
    assert 'distilled / (student + teacher forward + points alone)' in out


@pytest.mark.parametrize('per_point', [[], ['--per-point']])
def test_benchmark_of_points_without_parameters(capsys, per_point):
    """Identity connectors and MSE: nothing for the points' optimizer, still timed."""
    from helpers.runs import run_tool
    config = osp.join(REPO_ROOT, 'configs', 'toy', 'mse_faster-rcnn_r18w32-r18w8_fpn_toy-det.py')
    run_tool('benchmark.py', [config, '--random-teacher', '--iters', '1', '--warmup', '0',
                              '--batch-size', '1', '--size', '64', '64', '--threads', '1'] + per_point)
    out = capsys.readouterr().out
    assert 'points alone' in out and 'distillation parts 0.000 M' in out
