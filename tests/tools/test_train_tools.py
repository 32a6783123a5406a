"""tools/train.py distils with each toolbox, resumes, refuses --amp on CPU; convert and test tools;
the stock OpenMMLab train path.

Every run uses the real toy models (mmdet Faster R-CNN / RetinaNet, mmseg FCN, mmpretrain ResNet)
for two iterations on generated data; the teacher's checkpoint is a real file written here.
"""
import glob
import json
import math
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from helpers.runs import (TOOLBOX_CONFIGS, logged_iterations, logged_losses, run_tool,
                          save_random_teacher, toy_config, train)


@pytest.mark.slow  # trains through tools/train.py (the session fixture)
@pytest.mark.parametrize('key', list(TOOLBOX_CONFIGS))
def test_train_py_distils_each_toolbox(trained, key):
    run = trained[key]
    losses = logged_losses(run['work_dir'])
    distill = {k: v for k, v in losses.items() if k.startswith('distill.')}
    assert distill, f'no distill.* losses logged: {sorted(losses)}'
    assert all(math.isfinite(v) for v in distill.values())
    # The student's own losses are logged unchanged beside the distillation terms.
    assert any('loss' in k and not k.startswith('distill.') and k != 'loss' for k in losses)
    assert losses['loss'] >= sum(v for k, v in losses.items() if k.startswith('distill.')) - 1e-3

    ckpt = torch.load(osp.join(run['work_dir'], 'iter_2.pth'), map_location='cpu')
    keys = list(ckpt['state_dict'])
    assert any(k.startswith('student.') for k in keys)
    assert not any(k.startswith('teacher') for k in keys), 'the teacher must not be saved'
    assert osp.isfile(osp.join(run['work_dir'], 'iter_2_student.pth'))
    assert osp.isfile(osp.join(run['work_dir'], 'student_config.py'))


@pytest.mark.slow
@pytest.mark.parametrize('key', ['resnet-cls', 'faster-rcnn', 'fcn'])
def test_resume_restores_iteration_and_weights(in_toy_workspace, key):
    name = TOOLBOX_CONFIGS[key]
    teacher = save_random_teacher(name, 'teacher.pth')
    options = [f'model.teacher.checkpoint={teacher}']
    train(toy_config(name), 'run', options)
    first = torch.load('run/iter_2.pth', map_location='cpu')
    train(toy_config(name), 'run', options + ['train_cfg.max_iters=4', 'train_cfg.val_interval=4',
                                              'default_hooks.checkpoint.interval=4'],
          extra=['--resume'])
    second = torch.load('run/iter_4.pth', map_location='cpu')
    assert first['meta']['iter'] == 2 and second['meta']['iter'] == 4
    assert logged_iterations('run') == [3, 4], 'the resumed run must continue at iteration 3'
    # The optimizer state was carried over (momentum buffers exist for every student parameter).
    assert len(second['optimizer']['state']) == len(first['optimizer']['state']) > 0
    assert not any(k.startswith('teacher') for k in second['state_dict'])
    # The message hub came back through the safe loader: its histories go on from iteration 2.
    before, after = (c['message_hub']['log_scalars']['train/lr'] for c in (first, second))
    assert len(after._log_history) == len(before._log_history) + 2


def test_amp_flag_on_cpu_is_a_clear_error(in_toy_workspace):
    if torch.cuda.is_available():
        pytest.skip('GPU present: --amp is supported')
    with pytest.raises(RuntimeError, match='--amp needs a GPU'):
        train(toy_config(TOOLBOX_CONFIGS['resnet-cls']), 'run', ['model.teacher.checkpoint=None'],
              extra=['--amp'])


@pytest.mark.slow  # trains through tools/train.py (the session fixture)
def test_convert_tool_and_test_tool(trained, tmp_path):
    run = trained['resnet-cls']
    out = str(tmp_path / 'student.pth')
    run_tool('convert_to_student.py', [osp.join(run['work_dir'], 'iter_2.pth'), out,
                                       '--config', run['config'],
                                       '--out-config', str(tmp_path / 'student.py')])
    converted = torch.load(out, map_location='cpu')
    exported = torch.load(osp.join(run['work_dir'], 'iter_2_student.pth'), map_location='cpu')
    assert converted['state_dict'].keys() == exported['state_dict'].keys()
    assert osp.isfile(tmp_path / 'student.py')
    cwd = os.getcwd()
    os.chdir(osp.dirname(run['work_dir']))
    try:
        # The distillation config is evaluated as its student: no teacher is built.
        run_tool('test.py', [run['config'], osp.join(run['work_dir'], 'iter_2.pth'), '--work-dir',
                             str(tmp_path / 'test'), '--cfg-options',
                             'model.teacher.checkpoint=/nonexistent.pth'])
        # --teacher evaluates the teacher alone, from its own checkpoint.
        run_tool('test.py', [run['config'], run['teacher'], '--teacher', '--work-dir',
                             str(tmp_path / 'teacher')])
    finally:
        os.chdir(cwd)
    for name in ('test', 'teacher'):
        metrics = glob.glob(str(tmp_path / name / '*' / '*.json'))
        assert metrics, f'no metrics written for {name}'
        with open(metrics[0]) as f:
            assert 'accuracy/top1' in json.load(f)


@pytest.mark.slow
def test_stock_train_path_with_custom_imports_only(in_toy_workspace):
    """What mmdet's / mmseg's / mmpretrain's own tools/train.py do: Config.fromfile + Runner.

    Nothing imports mmkd_ext except the config's ``custom_imports``.
    """
    script = f'''
import sys
from mmengine.config import Config
from mmengine.runner import Runner
assert 'mmkd_ext' not in sys.modules
cfg = Config.fromfile({toy_config(TOOLBOX_CONFIGS['fcn'])!r})
cfg.work_dir = 'stock'
cfg.model.teacher.checkpoint = None
cfg.train_cfg.max_iters = 1
cfg.train_cfg.val_interval = 1
cfg.default_hooks.checkpoint.interval = 1
Runner.from_cfg(cfg).train()
assert 'mmkd_ext' in sys.modules
'''
    proc = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert osp.isfile('stock/iter_1_student.pth')
