"""RandomStateHook: a resumed run ends bit-exactly where the uninterrupted one ends, iteration- and
epoch-based; resuming a checkpoint without the saved state says what is not restored."""
import glob

import pytest
import torch
from helpers.runs import (TOOLBOX_CONFIGS, logged_iterations, logged_losses, run_tool,
                          save_random_teacher, toy_config, train)

pytestmark = pytest.mark.slow  # four to six short trainings each


def test_detector_resume_is_exact(in_toy_workspace):
    """Faster R-CNN draws anchors and RoIs at random: resumed at 2 of 4, it must end bit-exactly
    where the uninterrupted run ends (RandomStateHook restores the random generators)."""
    name = TOOLBOX_CONFIGS['faster-rcnn']
    teacher = save_random_teacher(name, 'teacher.pth')
    options = [f'model.teacher.checkpoint={teacher}', 'train_cfg.max_iters=4',
               'train_cfg.val_interval=100', 'default_hooks.checkpoint.interval=2',
               'default_hooks.checkpoint.max_keep_ckpts=3']
    train(toy_config(name), 'full', options)
    train(toy_config(name), 'part', options + ['train_cfg.max_iters=2'])
    train(toy_config(name), 'part', options, extra=['--resume'])
    full = torch.load('full/iter_4.pth', map_location='cpu')
    resumed = torch.load('part/iter_4.pth', map_location='cpu')
    assert logged_iterations('part') == [3, 4]
    for key, value in full['state_dict'].items():
        assert torch.equal(value, resumed['state_dict'][key]), key
    assert logged_losses('full')['loss'] == logged_losses('part')['loss']

    # Without the saved state (a checkpoint of another tool), resuming says what is not restored.
    stripped = torch.load('part/iter_2.pth', map_location='cpu')
    del stripped['random_state']
    torch.save(stripped, 'old.pth')
    train(toy_config(name), 'old', options + ['train_cfg.max_iters=3'], extra=['--resume', 'old.pth'])
    with open(glob.glob('old/*/*.log')[0]) as f:
        assert 'RandomStateHook: the random generators are not restored (the checkpoint holds no ' \
               'random state' in f.read()


def test_epoch_based_resume_is_exact(in_toy_workspace):
    """Epoch-based (as the COCO schedules): the flips of epoch 3 come from the random state the
    uninterrupted run had after epoch 2, not from a freshly seeded one."""
    name = TOOLBOX_CONFIGS['resnet-cls']
    with open('epochs.py', 'w') as f:
        f.write(f"""_base_ = [{toy_config(name)!r}]
train_cfg = dict(_delete_=True, type='EpochBasedTrainLoop', max_epochs=4, val_interval=100)
train_dataloader = dict(batch_size=8, dataset=dict(indices=16))
default_hooks = dict(checkpoint=dict(by_epoch=True, interval=1, max_keep_ckpts=4))
log_processor = dict(by_epoch=True)
model = dict(teacher=dict(checkpoint=None))
""")
    run_tool('train.py', ['epochs.py', '--work-dir', 'full'])
    run_tool('train.py', ['epochs.py', '--work-dir', 'part', '--cfg-options',
                          'train_cfg.max_epochs=2'])
    run_tool('train.py', ['epochs.py', '--work-dir', 'part', '--resume'])
    full = torch.load('full/epoch_4.pth', map_location='cpu')['state_dict']
    resumed = torch.load('part/epoch_4.pth', map_location='cpu')['state_dict']
    for key, value in full.items():
        assert torch.equal(value, resumed[key]), key
