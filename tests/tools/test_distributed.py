"""Two CPU processes (gloo) through tools/dist_train.sh: the ranks must stay in sync."""
import json
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest
from helpers.runs import REPO_ROOT, toy_config

pytestmark = pytest.mark.slow  # two processes, each starting the stack


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_two_process_distillation_keeps_ranks_in_sync(in_toy_workspace):
    config = osp.join(in_toy_workspace, 'dist_cfg.py')
    with open(config, 'w') as f:
        f.write(f"""
_base_ = [{toy_config('mse_faster-rcnn_r18w32-r18w8_fpn_toy-det.py')!r}]
custom_imports = dict(imports=['mmkd_ext', 'rank_sync_hook'],
                      allow_failed_imports=False)
custom_hooks = [dict(type='StudentCheckpointHook'), dict(type='RankSyncCheckHook')]
train_cfg = dict(max_iters=3, val_interval=3)
default_hooks = dict(checkpoint=dict(interval=3), logger=dict(interval=1))
model = dict(teacher=dict(checkpoint=None))
""")
    env = dict(os.environ, PORT=str(free_port()), OMP_NUM_THREADS='1',
               PATH=osp.dirname(sys.executable) + os.pathsep + os.environ['PATH'],
               # 'tests' itself is shadowed by a site-packages package of that name.
               PYTHONPATH=os.pathsep.join([REPO_ROOT, osp.join(REPO_ROOT, 'tests', 'helpers')]))
    proc = subprocess.run(['bash', osp.join(REPO_ROOT, 'tools', 'dist_train.sh'), config, '2',
                           '--work-dir', 'work'], env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    with open(osp.join('work', 'rank_sync.json')) as f:
        report = json.load(f)
    assert report['world_size'] == 2 and report['iters'] == 3
    assert report['student_max_diff'] == 0.0, report
    assert report['teacher_max_diff'] == 0.0, report
    assert osp.isfile(osp.join('work', 'iter_3_student.pth'))
