"""StudentCheckpointHook: the student exports follow their checkpoints (written, pruned with them)."""
import glob
import os.path as osp

import pytest
import torch
from helpers.runs import TOOLBOX_CONFIGS, toy_config, train


@pytest.mark.slow
def test_student_exports_are_pruned_with_their_checkpoints(in_toy_workspace):
    name = TOOLBOX_CONFIGS['resnet-cls']
    train(toy_config(name), 'run', ['model.teacher.checkpoint=None', 'train_cfg.max_iters=3',
                                    'default_hooks.checkpoint.interval=1',
                                    'default_hooks.checkpoint.max_keep_ckpts=1'])
    with open('run/mine_student.pth', 'w') as f:  # not an export of this run: kept
        f.write('x')
    # Not a checkpoint (e.g. class means written into the work dir): neither exported nor removed.
    torch.save({'class_means': torch.zeros(2, 3)}, 'run/class_means.pth')
    train(toy_config(name), 'run', ['model.teacher.checkpoint=None', 'train_cfg.max_iters=4',
                                    'default_hooks.checkpoint.interval=1',
                                    'default_hooks.checkpoint.max_keep_ckpts=1'], extra=['--resume'])
    assert sorted(osp.basename(p) for p in glob.glob('run/*.pth')) == [
        'class_means.pth', 'iter_4.pth', 'iter_4_student.pth', 'mine_student.pth']
