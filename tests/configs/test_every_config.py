"""Every config under configs/ builds and trains: one smoke test over all of them.

Each distillation and paper-scale config trains one step on CPU with tiny synthetic batches and a
random teacher (tests/helpers/config_smoke.py: nothing is downloaded). The plain toy configs (the
demo's teachers and students) train 2 iterations and validate through MMEngine's Runner on the
generated toy data, so a broken pipeline or evaluator fails here too. Also: every DiffKD teacher
checkpoint URL is the one the toolbox's model-zoo metafile gives for that config. The recipe fields
(optimizer, batch, schedule, weights, distances) are checked in tests/configs/test_recipes.py.
"""
import glob
import math
import os.path as osp
import re
from typing import Dict

import pytest
import torch
from helpers.config_smoke import (CONFIG_ROOT, all_finite, build, config_id, every_config,
                                  input_size, is_distillation, load, parsed, task_of,
                                  train_and_validate, train_step)

CONFIGS = every_config()
TOY_DIR = osp.join(CONFIG_ROOT, 'toy')
# A loss every student of the task reports (the distiller logs mmpretrain's classification loss,
# plain 'loss', as 'student.loss').
STUDENT_LOSS = {'det': 'loss_cls', 'seg': 'decode.loss_ce', 'cls': 'student.loss'}
# The metric every task's evaluator must report (a sample of its keys).
METRIC_KEYS = {'det': 'coco/bbox_mAP', 'seg': 'mIoU', 'cls': 'accuracy/top1'}
# Paper-scale detectors and segmentors (ResNet-101 / X-101 teachers, 1-5 s a step): left out of
# `scripts/test.sh --quick`. Their toy versions, and every classification config, stay in. Found
# by the data set in the name, as OpenMMLab names its configs (no config is parsed to select).
SLOW_DATA = re.compile(r'_(coco|cityscapes|ade20k)\b')


def is_toy(path: str) -> bool:
    return osp.dirname(path) == TOY_DIR


def smoke_param(path: str):
    slow = not is_toy(path) and SLOW_DATA.search(osp.basename(path)) is not None
    return pytest.param(path, id=config_id(path), marks=[pytest.mark.slow] if slow else [])


@pytest.fixture(scope='module', autouse=True)
def single_thread():
    """One intra-op thread: on a shared 2-core machine, two OpenMP threads that wait for each other
    at every op's barrier made the tiny steps here 10x slower (18 s instead of 1.6 s per step)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize('path', [smoke_param(p) for p in CONFIGS])
def test_config_trains(path, request, tmp_path):
    cfg = load(path)
    if is_distillation(cfg):
        model = build(cfg)
        check_distillation_step(path, cfg, model, train_step(model, cfg, input_size(path, cfg)))
    elif is_toy(path):
        check_toy_training(path, request.getfixturevalue('toy_data'), str(tmp_path))
    else:
        log_vars = train_step(build(cfg), cfg, input_size(path, cfg))
        assert 'loss' in log_vars and all_finite(log_vars), log_vars


def check_distillation_step(path: str, cfg, model, log_vars: Dict[str, float]) -> None:
    """Every loss exists and is finite, the teacher stays frozen, ND and DiffKD add their terms."""
    from mmkd_ext.distillers.teacher import normalisation_of
    from mmkd_ext.nd import NDLoss
    name, task = osp.basename(path), task_of(cfg)
    assert 'mmkd_ext' in cfg.custom_imports.imports
    assert dict(type='StudentCheckpointHook') in cfg.custom_hooks
    assert all_finite(log_vars), log_vars
    distill = {k: v for k, v in log_vars.items() if k.startswith('distill.')}
    assert distill, f'no distillation losses in {sorted(log_vars)}'
    # Every point contributes its main distance, and the student keeps its own losses.
    for point in cfg.model.get('distill_points') or {}:
        assert any(k.startswith(f'distill.{point}.') and 'diffusion' not in k and
                   '.loss_ae' not in k for k in distill), (point, sorted(distill))
    assert STUDENT_LOSS[task] in log_vars, sorted(log_vars)
    # The teacher must not train: no gradients, eval mode.
    assert not model.teacher.model.training
    assert all(p.grad is None for p in model.teacher.parameters())

    has_nd = any(isinstance(m, NDLoss) for m in model.modules())
    assert has_nd == name.startswith('nd'), 'ND configs (and only they) use NDLoss'
    if has_nd:
        nd = [v for k, v in distill.items() if k.endswith('loss_nd')]
        assert nd and all(v > 0 for v in nd)

    if name.endswith('_in1k.py'):
        # Stock mmpretrain configs keep the data preprocessor at the top level: the distiller
        # gives it to the student, and the teacher takes its own config's, the same normalisation.
        mean, std, _ = normalisation_of(model.data_preprocessor)
        assert mean is not None and torch.allclose(mean, torch.tensor(cfg.data_preprocessor.mean))
        assert torch.allclose(std, torch.tensor(cfg.data_preprocessor.std))
        assert not model.teacher.renormalise

    if name.startswith('diffkd'):
        assert cfg.model.type == 'FeatureDistiller'
        assert cfg.custom_imports.imports == ['mmkd_ext']
        # The student normalises its inputs, and the teacher (its own stock config) the same way.
        assert normalisation_of(model.data_preprocessor)[0] is not None
        assert not model.teacher.renormalise
        diffkd_points = {p: point for p, point in cfg.model.distill_points.items()
                         if point.get('connector', {}).get('type') == 'DiffKDDenoiser'}
        assert diffkd_points, 'a DiffKD config without a DiffKD point'
        for point, point_cfg in diffkd_points.items():
            assert f'distill.{point}.loss_diffusion' in log_vars, sorted(log_vars)
            if point_cfg.connector.get('latent_channels'):
                assert f'distill.{point}.loss_ae' in log_vars, sorted(log_vars)


def check_toy_training(path: str, toy_data: str, work_dir: str) -> None:
    """A plain toy config: 2 Runner iterations with finite losses, then its task's metric."""
    records, metrics = train_and_validate(path, toy_data, work_dir)
    assert len(records) == 2
    for record in records:
        assert 'loss' in record
        assert all_finite(record), record
    key = METRIC_KEYS[task_of(parsed(path))]
    assert key in metrics, sorted(metrics)
    assert math.isfinite(float(metrics[key]))


# ------------------------------------------------------------------------- the list of configs

def test_the_published_configs_are_all_smoke_tested():
    names = {osp.basename(p) for p in CONFIGS}
    assert {'pefd_resnet34-resnet18_8xb32_in1k.py', 'nd-kd_resnet34-resnet18_8xb64_in1k.py',
            'nd-dkd_resnet34-resnet18_8xb64_in1k.py', 'nd-kd_faster-rcnn_r101-r18_fpn_2x_coco.py',
            'nd-dkd_resnet50-mobilenetv1_8xb64_in1k.py'} <= names
    for method in ('nd-kd_', 'nd-dkd_'):
        assert len([n for n in names if n.startswith(method) and 'cifar100' in n]) == 6
        # ResNet-34/50/101/152 -> ResNet-18 and ResNet-50 -> MobileNetV1
        assert len([n for n in names if n.startswith(method) and 'in1k' in n]) == 5
    # Every config file of a method folder and of the demo, and the students written here.
    for folder in ('diffkd', 'nd', 'pefd', 'cifar100', 'toy'):
        assert set(glob.glob(osp.join(CONFIG_ROOT, folder, '*.py'))) <= set(CONFIGS), folder
    for student in ('mobilenet-v1_8xb32_in1k.py', 'faster-rcnn_r18_fpn_2x_coco.py',
                    'deeplabv3_r18-d8_4xb4-80k_ade20k-512x512.py'):
        assert osp.join(CONFIG_ROOT, '_base_', student) in CONFIGS, student


def test_toy_teacher_student_pairs_share_data_settings():
    """A toy teacher (w32) and its student (w8) differ in the model widths only."""
    pairs = [(p, p.replace('-w32', '-w8')) for p in glob.glob(osp.join(TOY_DIR, '*-w32_*.py'))]
    assert len(pairs) == 4
    for teacher_path, student_path in pairs:
        teacher, student = parsed(teacher_path), parsed(student_path)
        for key in ('train_dataloader', 'val_dataloader', 'val_evaluator', 'default_scope'):
            assert teacher[key] == student[key], (teacher_path, key)
        assert teacher.model.data_preprocessor == student.model.data_preprocessor
        assert teacher.model.backbone.base_channels == 32
        assert student.model.backbone.base_channels == 8


# ------------------------------------------------------------------ teacher checkpoints (DiffKD)

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


@pytest.mark.parametrize('path', sorted(glob.glob(osp.join(CONFIG_ROOT, 'diffkd', '*.py'))),
                         ids=config_id)
def test_teacher_checkpoint_is_the_zoo_one(path):
    """The teacher checkpoint is the one the toolbox's metafile lists for the teacher config."""
    teacher = parsed(path).model.teacher
    weights = _metafile_weights(teacher.config)
    assert weights.get(osp.basename(teacher.config)) == teacher.checkpoint, (
        f'{teacher.config}: metafile gives {weights.get(osp.basename(teacher.config))}')
