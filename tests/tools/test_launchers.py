"""Launching from a fresh shell: tools/*.sh find the environment; `mim train` runs a distillation."""
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest
from helpers.runs import REPO_ROOT, SHORT_RUN, toy_config


def python_found_by_the_scripts(root: str, env: dict) -> str:
    script = f'. {osp.join(root, "tools", "find_python.sh")} && echo "$PY"'
    proc = subprocess.run(['bash', '-c', script], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_launch_scripts_find_the_repository_venv(tmp_path):
    """No activated environment: tools/dist_train.sh and friends use the repository's .venv."""
    root = tmp_path / 'repo'
    os.makedirs(root / 'tools')
    shutil.copy(osp.join(REPO_ROOT, 'tools', 'find_python.sh'), root / 'tools')
    bare = tmp_path / 'bin'  # a PATH whose `python` has no torch
    os.makedirs(bare)
    os.symlink('/bin/false', bare / 'python')
    env = dict(os.environ, PATH=f'{bare}{os.pathsep}/usr/bin{os.pathsep}/bin')
    env.pop('PYTHON', None)
    proc = subprocess.run(['bash', '-c', f'. {root}/tools/find_python.sh'], env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 1 and 'bash scripts/setup_env.sh' in proc.stderr
    os.makedirs(root / '.venv' / 'bin')
    os.symlink(sys.executable, root / '.venv' / 'bin' / 'python')
    assert python_found_by_the_scripts(str(root), env) == f'{root}/.venv/bin/python'
    # An activated environment (its python imports torch) and $PYTHON come first.
    env['PATH'] = osp.dirname(sys.executable) + os.pathsep + env['PATH']
    assert python_found_by_the_scripts(str(root), env) == 'python'
    assert python_found_by_the_scripts(str(root), dict(env, PYTHON='/opt/py')) == '/opt/py'


@pytest.mark.slow
def test_mim_train_runs_a_distillation_config(in_toy_workspace):
    """OpenMMLab's launcher: `mim train mmdet CONFIG` runs mmdet's tools/train.py, which
    imports mmkd_ext through the config's custom_imports."""
    pytest.importorskip('mim')
    mim = osp.join(osp.dirname(sys.executable), 'mim')
    env = dict(os.environ, PYTHONPATH=REPO_ROOT, OMP_NUM_THREADS='1')
    proc = subprocess.run(
        [mim, 'train', 'mmdet', toy_config('mse_faster-rcnn_r18w32-r18w8_fpn_toy-det.py'),
         '--gpus', '0', '--work-dir', 'run', '--cfg-options', *SHORT_RUN,
         'model.teacher.checkpoint=None'],
        env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert 'Training finished successfully' in proc.stdout
    assert osp.isfile('run/iter_2.pth') and osp.isfile('run/iter_2_student.pth')
    assert osp.isfile('run/student_config.py')
