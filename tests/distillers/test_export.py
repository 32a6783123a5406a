"""The student export (distillers/export.py, written by StudentCheckpointHook): a plain toolbox
checkpoint and config that predict like the distiller's student, load where mmkd_ext is not
installed, and load back into a distiller.

The quick test exports a distiller built in memory; the others read the checkpoints of the
session's toy distillations through tools/train.py (the ``trained`` fixture, marked slow).
"""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from helpers.plain_student import assert_same_predictions, plain_reload
from helpers.runs import REPO_ROOT, TOOLBOX_CONFIGS, toy_config
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner, load_checkpoint


def build_from(cfg: Config):
    init_default_scope(cfg.default_scope)
    from mmengine.registry import MODELS
    return MODELS.build(cfg.model)


def val_batch(cfg: Config):
    init_default_scope(cfg.default_scope)
    loader = Runner.build_dataloader(cfg.val_dataloader)
    return next(iter(loader))


def task_of_key(key: str) -> str:
    return {'faster-rcnn': 'det', 'retinanet': 'det', 'fcn': 'seg'}.get(key, 'cls')


@pytest.mark.parametrize('key', list(TOOLBOX_CONFIGS))
def test_an_in_memory_export_predicts_like_the_distiller(key):
    """student_checkpoint / student_config on a freshly built distiller (nothing trained)."""
    from mmkd_ext.datasets import fake_batch
    from mmkd_ext.distillers.export import student_checkpoint, student_config
    cfg = Config.fromfile(toy_config(TOOLBOX_CONFIGS[key]))
    cfg.model.teacher.checkpoint = None
    torch.manual_seed(0)
    distiller = build_from(cfg).eval()
    exported = student_checkpoint(dict(meta=dict(), state_dict=distiller.state_dict()))
    assert not any(k.startswith(('student.', 'points.', 'teacher')) for k in exported['state_dict'])
    plain = build_from(student_config(cfg))
    assert 'Distiller' not in type(plain).__name__
    plain.load_state_dict(exported['state_dict'], strict=True)
    plain.eval()
    size = (32, 32) if key.endswith('cls') else (64, 64)
    batch = fake_batch(distiller.student, 2, size)
    assert_same_predictions(task_of_key(key), distiller, plain, batch)


@pytest.mark.slow  # trains through tools/train.py (the session fixture)
@pytest.mark.parametrize('key', list(TOOLBOX_CONFIGS))
def test_exported_student_predicts_like_the_distiller(trained, key):
    run = trained[key]
    cfg = Config.fromfile(run['config'])
    cfg.model.teacher.checkpoint = run['teacher']
    distiller = build_from(cfg)
    load_checkpoint(distiller, osp.join(run['work_dir'], 'iter_2.pth'), map_location='cpu',
                    strict=True)
    distiller.eval()
    plain = plain_reload(task_of_key(key), osp.join(run['work_dir'], 'student_config.py'),
                         osp.join(run['work_dir'], 'iter_2_student.pth'))
    assert 'Distiller' not in type(plain).__name__
    exported = torch.load(osp.join(run['work_dir'], 'iter_2_student.pth'), map_location='cpu')
    assert not any(k.startswith(('student.', 'points.', 'teacher')) for k in exported['state_dict'])

    cwd = os.getcwd()
    os.chdir(osp.dirname(run['work_dir']))  # the val loader reads data/toy relative to here
    try:
        batch = val_batch(cfg)
    finally:
        os.chdir(cwd)
    assert_same_predictions(task_of_key(key), distiller, plain, batch)


@pytest.mark.slow
@pytest.mark.parametrize('key', ['faster-rcnn', 'fcn', 'resnet-cls'])
def test_exported_student_loads_where_mmkd_ext_cannot_be_imported(trained, key):
    """Where a student goes, mmkd_ext is not installed: neither file may need it."""
    run = trained[key]
    with open(osp.join(run['work_dir'], 'student_config.py')) as f:
        assert 'mmkd_ext' not in f.read()
    script = f"""
import sys
sys.modules['mmkd_ext'] = None  # any import of mmkd_ext now fails
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope
from mmengine.runner import load_checkpoint
cfg = Config.fromfile({osp.join(run['work_dir'], 'student_config.py')!r})
init_default_scope(cfg.default_scope)
model = MODELS.build(cfg.model)
checkpoint = {osp.join(run['work_dir'], 'iter_2_student.pth')!r}
torch.load(checkpoint, weights_only=True)  # no type of mmkd_ext's allow-list needed
load_checkpoint(model, checkpoint, map_location='cpu', strict=True)
# (mmkd_ext_startup, the installed package's start-up hook, is not mmkd_ext and imports nothing)
assert not any(m == 'mmkd_ext' or m.startswith('mmkd_ext.')
               for m in sys.modules if sys.modules[m] is not None)
print(type(model).__name__)
"""
    proc = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'Distiller' not in proc.stdout


def test_student_config_keeps_mmkd_ext_only_for_its_own_backbones():
    from mmkd_ext.distillers.export import student_config
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'nd',
                                   'nd-kd_resnet32x4-resnet8x4_cifar100.py'))
    assert student_config(cfg).custom_imports.imports == ['mmkd_ext']  # CIFARResNet is ours
    cfg = Config.fromfile(toy_config(TOOLBOX_CONFIGS['resnet-cls']))
    assert 'custom_imports' not in student_config(cfg)


def test_student_config_of_a_config_inheriting_mmkd_ext_needs_no_mmkd_ext_scope(tmp_path):
    """``mmkd_ext::`` bases give their dicts ``_scope_='mmkd_ext'``, which only mmkd_ext resolves
    (to the run's toolbox): the export leaves them to the config's ``default_scope``."""
    from mmkd_ext.distillers.export import student_config
    user = tmp_path / 'user_kd.py'
    user.write_text(f"_base_ = ['mmkd_ext::toy/{TOOLBOX_CONFIGS['resnet-cls']}']\n")
    cfg = Config.fromfile(str(user))
    assert cfg.train_dataloader.dataset._scope_ == 'mmkd_ext'
    exported = student_config(cfg)
    assert "'mmkd_ext'" not in exported.pretty_text and '_scope_' not in exported.pretty_text
    assert exported.default_scope == 'mmpretrain'


@pytest.mark.slow  # trains through tools/train.py (the session fixture)
def test_load_from_accepts_a_plain_student_checkpoint(trained):
    run = trained['resnet-cls']
    cfg = Config.fromfile(run['config'])
    cfg.model.teacher.checkpoint = run['teacher']
    distiller = build_from(cfg)
    load_checkpoint(distiller, osp.join(run['work_dir'], 'iter_2_student.pth'), map_location='cpu')
    exported = torch.load(osp.join(run['work_dir'], 'iter_2_student.pth'), map_location='cpu')
    for key, value in distiller.student.state_dict().items():
        assert torch.equal(value, exported['state_dict'][key]), key
