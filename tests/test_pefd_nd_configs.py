"""Every PEFD / ND config (and the plain configs they build on) builds and trains one step on CPU.

The toy PEFD / KD++ configs of the CPU demo are included.

Tiny synthetic batches (32² CIFAR, 64² ImageNet / COCO, 64×128 Cityscapes), random teachers
(``model.teacher.checkpoint=None``), nothing downloaded (pretrained ``init_cfg``\\ s are stripped and
``init_weights`` is never called), random in-memory class means for the ND losses.
"""
import copy
import glob
import math
import os.path as osp

import pytest
import torch
from helpers.runs import REPO_ROOT
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import MODELS, init_default_scope

from mmkd_ext.distillers import FeatureDistiller
from mmkd_ext.nd import NDLoss
from mmkd_ext.testing import fake_batch

torch.set_num_threads(2)

CONFIGS = osp.join(REPO_ROOT, 'configs')
DISTILL_CONFIGS = sorted(glob.glob(osp.join(CONFIGS, 'pefd', '*.py')) +
                         glob.glob(osp.join(CONFIGS, 'nd', '*.py'))) + [
    osp.join(CONFIGS, 'toy', name) for name in (
        'pefd_resnet18w32-r18w8_toy-cls.py', 'nd-kd_resnet18w32-r18w8_toy-cls.py',
        'nd-kd_faster-rcnn_r18w32-r18w8_fpn_toy-det.py')]
CIFAR_TEACHERS = [osp.join(CONFIGS, 'cifar100', f'{name}_cifar100.py')
                  for name in ('resnet32x4', 'resnet56', 'wrn-40-2', 'resnet50')]
# The students written for these configs (no stock config exists for them).
NEW_STUDENTS = [osp.join(CONFIGS, '_base_', name)
                for name in ('mobilenet-v1_8xb32_in1k.py', 'faster-rcnn_r18_fpn_2x_coco.py')]
PLAIN_CONFIGS = CIFAR_TEACHERS + NEW_STUDENTS


def input_size(path: str):
    name = osp.basename(path)
    if 'cifar100' in name or 'toy-cls' in name:
        return (32, 32)
    if 'cityscapes' in name:
        return (64, 128)
    return (64, 64)  # ImageNet and COCO


def strip_pretrained(cfg) -> None:
    """Drop pretrained-weight references (they are only read by init_weights, never called here)."""
    if isinstance(cfg, dict):
        cfg.pop('pretrained', None)
        init = cfg.get('init_cfg')
        if isinstance(init, dict) and init.get('type') == 'Pretrained':
            cfg['init_cfg'] = None
        for value in cfg.values():
            strip_pretrained(value)
    elif isinstance(cfg, (list, tuple)):
        for value in cfg:
            strip_pretrained(value)


def load(path: str) -> Config:
    cfg = Config.fromfile(path)
    init_default_scope(cfg.default_scope)
    student = cfg.model.get('student', cfg.model)
    if 'teacher' in cfg.model:
        cfg.model.teacher.checkpoint = None
    elif cfg.get('data_preprocessor') is not None:  # as the Runner does for plain configs
        cfg.model.setdefault('data_preprocessor', cfg.data_preprocessor)
    if student.get('data_preprocessor', {}).get('size') is not None:
        student.data_preprocessor.size = input_size(path)  # mmseg pads to the crop size otherwise
    strip_pretrained(cfg.model)
    return cfg


def one_step(cfg: Config, size) -> dict:
    model = MODELS.build(cfg.model)
    for module in model.modules():
        if isinstance(module, NDLoss):  # random class means of the expected shape
            k, d = module.expected['num_classes'], module.expected['embed_dim']
            module.set_class_means(torch.randn(k, d, generator=torch.Generator().manual_seed(0)))
    model.train()
    optim = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
    student = model.student if isinstance(model, FeatureDistiller) else model
    return model, model.train_step(fake_batch(student, 2, size), optim)


def test_the_config_lists_are_complete():
    names = {osp.basename(p) for p in DISTILL_CONFIGS if '/toy/' not in p}
    assert {'pefd_resnet34-resnet18_8xb32_in1k.py', 'nd-kd_resnet34-resnet18_8xb64_in1k.py',
            'nd-dkd_resnet34-resnet18_8xb64_in1k.py', 'nd-kd_faster-rcnn_r101-r18_fpn_2x_coco.py',
            'nd-dkd_resnet50-mobilenetv1_8xb64_in1k.py'} <= names
    for method in ('nd-kd_', 'nd-dkd_'):
        assert len([n for n in names if n.startswith(method) and 'cifar100' in n]) == 6
        # ResNet-34/50/101/152 -> ResNet-18 and ResNet-50 -> MobileNetV1
        assert len([n for n in names if n.startswith(method) and 'in1k' in n]) == 5


@pytest.mark.parametrize('path', DISTILL_CONFIGS, ids=osp.basename)
def test_distillation_config_trains_one_step(path):
    cfg = load(path)
    model, losses = one_step(cfg, input_size(path))
    distill = {k: v for k, v in losses.items() if k.startswith('distill.')}
    assert distill, f'no distillation losses in {sorted(losses)}'
    for key, value in distill.items():
        assert math.isfinite(value.item()), f'{key} = {value}'
    has_nd = any(isinstance(m, NDLoss) for m in model.modules())
    assert has_nd == osp.basename(path).startswith('nd'), 'ND configs (and only they) use NDLoss'
    if has_nd:
        nd = [v for k, v in distill.items() if k.endswith('loss_nd')]
        assert nd and all(v.item() > 0 for v in nd)
    # The teacher must not train: no gradients, eval mode.
    assert not model.teacher.model.training
    assert all(p.grad is None for p in model.teacher.parameters())


@pytest.mark.parametrize('path', PLAIN_CONFIGS, ids=osp.basename)
def test_plain_config_trains_one_step(path):
    _, losses = one_step(load(path), input_size(path))
    assert all(math.isfinite(v.item()) for k, v in losses.items() if 'loss' in k)
