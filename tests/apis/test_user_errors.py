"""A user's mistakes give a clear, early message: what is wrong, which key or file, how to fix it.

Each case goes through the path a user takes (tools/train.py or the model build) on the real toy
models; the tools print such a message without a traceback (exit status 1).
"""
import glob
import json
import os
import os.path as osp

import pytest
import torch
from helpers.runs import build_toy, run_tool, save_random_teacher, toy_config, train

from mmkd_ext.apis import load_config
from mmkd_ext.datasets import fake_batch
from mmkd_ext.nd import save_class_means
from mmkd_ext.utils.errors import InputError, check_weight, run_tool_main

CLS = 'kd_resnet18w32-r18w8_toy-cls.py'
DET = 'mse_faster-rcnn_r18w32-r18w8_fpn_toy-det.py'
ND_CLS = 'nd-kd_resnet18w32-r18w8_toy-cls.py'
DIFFKD_CLS = 'diffkd_resnet18w32-r18w8_toy-cls.py'


def build(config: str, **options):
    """The distiller of a toy config with ``options`` merged (random teacher unless given)."""
    return build_toy(config, options)[1]


def tool_error(script: str, args: list) -> str:
    """Run a tool in-process and return the one-line error it exits with."""
    with pytest.raises(SystemExit) as exc:
        run_tool(script, args)
    message = str(exc.value.code)
    assert message.startswith('error: ') and 'Traceback' not in message
    return message


# ------------------------------------------------------------------------------ checkpoints

def test_truncated_teacher_checkpoint_names_the_file(in_toy_workspace):
    path = save_random_teacher(CLS, 'teacher.pth')
    with open(path, 'rb') as f:
        data = f.read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])  # an interrupted download
    message = tool_error('train.py', [toy_config(CLS), '--work-dir', 'run', '--cfg-options',
                                      f'model.teacher.checkpoint={path}'])
    assert f'"{path}" ({len(data) // 2} bytes) cannot be read' in message
    assert 'model.teacher.checkpoint' in message and 'truncated' in message
    assert 'download or copy it again' in message


def test_missing_checkpoints_are_named(in_toy_workspace):
    message = tool_error('train.py', [toy_config(CLS), '--work-dir', 'run', '--cfg-options',
                                      'model.teacher.checkpoint=nowhere/teacher.pth'])
    assert 'Teacher checkpoint "nowhere/teacher.pth" does not exist' in message
    assert '--cfg-options model.teacher.checkpoint=PATH' in message
    message = tool_error('train.py', [toy_config(CLS), '--work-dir', 'run', '--resume',
                                      'run/iter_7.pth'])
    assert '--resume run/iter_7.pth: the file does not exist' in message
    message = tool_error('test.py', [toy_config(CLS), 'run/iter_7.pth'])
    assert 'Checkpoint "run/iter_7.pth" does not exist' in message


def test_traceback_on_request(in_toy_workspace, monkeypatch):
    monkeypatch.setenv('MMKD_TRACEBACK', '1')

    def main():
        raise InputError('broken')

    with pytest.raises(InputError, match='broken'):
        run_tool_main(main)


# ---------------------------------------------------------------------------------- weights

@pytest.mark.parametrize('weight,expected', [
    ('1.0', "KDLoss.loss_weight must be a number, got '1.0' (str). Write it without quotes"),
    (-1.0, 'KDLoss.loss_weight must be a finite number >= 0, got -1.0'),
])
def test_loss_weight_is_checked_at_build(weight, expected):
    with pytest.raises(InputError) as exc:
        build(CLS, **{'model.distill_points.logits.loss.loss_weight': weight})
    assert str(exc.value).startswith('model.distill_points.logits.loss: ')
    assert expected in str(exc.value)


def test_point_and_connector_weights_are_checked():
    with pytest.raises(InputError, match=r'model\.distill_points\.logits\.weight must be a number'):
        build(CLS, **{'model.distill_points.logits.weight': 'high'})
    with pytest.raises(InputError, match='DiffKDDenoiser.diffusion_loss_weight must be a finite'):
        build(DIFFKD_CLS, **{'model.distill_points.feature.connector.diffusion_loss_weight': -0.5})
    assert check_weight(0, 'x') == 0  # 0 switches a term off: legal
    with pytest.raises(InputError, match='x must be a number'):
        check_weight(True, 'x')


# ------------------------------------------------------------------------------------ types

def test_unknown_loss_type_suggests_the_closest_name():
    with pytest.raises(InputError) as exc:
        build(DET, **{'model.distill_points.fpn0.loss.type': 'FeatureMSELos'})
    message = str(exc.value)
    assert message.startswith('model.distill_points.fpn0.loss.type: "FeatureMSELos" is not a '
                              'registered BaseDistillLoss subclass. Did you mean \'FeatureMSELoss\'')
    assert 'KDLoss' in message and 'custom_imports' in message


def test_unknown_connector_type_suggests_the_closest_name():
    with pytest.raises(InputError, match=r"feature\.connector\.type: \"DiffKDDenoisr\" is not a "
                       r"registered BaseConnector subclass\. Did you mean 'DiffKDDenoiser'"):
        build(DIFFKD_CLS, **{'model.distill_points.feature.connector.type': 'DiffKDDenoisr'})


# -------------------------------------------------------------------------------------- data

def test_data_root_override_reaches_every_dataset_and_the_evaluator():
    cfg = load_config(toy_config(DET), {'data_root': '/data/shapes'})
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert cfg[key].dataset.data_root == '/data/shapes/'
    assert cfg.val_evaluator.ann_file == '/data/shapes/annotations/val.json'
    assert cfg.test_evaluator.ann_file == '/data/shapes/annotations/val.json'
    # An explicit key still wins over data_root.
    cfg = load_config(toy_config(DET), {'data_root': '/a', 'val_dataloader.dataset.data_root': '/b'})
    assert cfg.train_dataloader.dataset.data_root == '/a/'
    assert cfg.val_dataloader.dataset.data_root == '/b'


def test_empty_detection_dataset_is_named(tmp_path, toy_data, monkeypatch):
    """A data root elsewhere (--cfg-options data_root=...) whose training annotations are empty."""
    root = tmp_path / 'shapes'
    os.makedirs(root / 'annotations')
    os.symlink(osp.join(toy_data, 'img_dir'), root / 'img_dir')
    with open(osp.join(toy_data, 'annotations', 'train.json')) as f:
        coco = json.load(f)
    coco['annotations'] = []  # images without boxes: filter_empty_gt drops them all
    with open(root / 'annotations' / 'train.json', 'w') as f:
        json.dump(coco, f)
    os.symlink(osp.join(toy_data, 'annotations', 'val.json'), root / 'annotations' / 'val.json')
    monkeypatch.chdir(tmp_path)
    message = tool_error('train.py', [toy_config(DET), '--work-dir', 'run', '--cfg-options',
                                      f'data_root={root}', 'model.teacher.checkpoint=None'])
    assert (f"train_dataloader.dataset (CocoDataset, data_root='{root}/', "
            f"ann_file='annotations/train.json'") in message
    assert 'is empty: it yields no samples' in message
    assert 'filter_empty_gt=True drops images without boxes' in message
    assert 'val_dataloader' not in message


# ------------------------------------------------------------------------------ class means

def test_class_means_of_another_teacher_without_the_hook(in_toy_workspace):
    """No ClassMeansHook: the distiller itself checks the file at its first training step."""
    teacher = save_random_teacher(ND_CLS, 'teacher.pth')
    means = 'means.pth'
    save_class_means(means, torch.ones(4, 256), torch.ones(4, dtype=torch.long), layer='neck[-1]',
                     teacher_config='other.py', teacher_checkpoint='other.pth',
                     teacher_digest='0123456789abcdef')
    model = build(ND_CLS, **{'model.teacher.checkpoint': teacher,
                             'model.distill_points.nd.loss.class_means': means,
                             'model.distill_points.nd.loss.lazy_load': False})
    batch = model.data_preprocessor(fake_batch(model.student, 2, (32, 32)), True)
    with pytest.raises(InputError) as exc:
        model.loss(**batch)
    message = str(exc.value)
    assert message.startswith('The ND loss of "nd": Class-means file \'means.pth\' does not match '
                              "this run: field 'teacher_digest' is '0123456789abcdef' in the file")
    assert 'tools/compute_class_means.py' in message and "type='ClassMeansHook'" in message


def test_partial_class_means_blame_the_partial_pass(in_toy_workspace):
    teacher = save_random_teacher(ND_CLS, 'teacher.pth')
    message = tool_error('compute_class_means.py', [
        toy_config(ND_CLS), '--out', 'means.pth', '--max-iters', '1', '--cfg-options',
        f'model.teacher.checkpoint={teacher}', 'train_dataloader.batch_size=2'])
    assert 'classes have no embedding' in message and 'only 1 of the' in message
    assert '--max-iters' in message and 'label mapping' not in message


# ----------------------------------------------------------------------------------- resume

@pytest.mark.slow  # trains one iteration through tools/train.py
def test_resume_without_a_checkpoint_warns_in_the_log(in_toy_workspace):
    train(toy_config(CLS), 'run', ['model.teacher.checkpoint=None', 'train_cfg.max_iters=1',
                                   'train_cfg.val_interval=1'], extra=['--resume'])
    logs = glob.glob(osp.join('run', '*', '*.log'))
    with open(logs[0]) as f:
        log = f.read()
    assert ('WARNING - --resume: there is no checkpoint to resume from in run (no '
            '"last_checkpoint" file there), so training starts from iteration 0') in log


def test_troubleshooting_lists_the_messages():
    """docs/troubleshooting.md quotes the messages tested here (so a reworded one is noticed)."""
    from helpers.runs import REPO_ROOT
    with open(osp.join(REPO_ROOT, 'docs', 'troubleshooting.md')) as f:
        page = ' '.join(f.read().split())
    for fragment in ('cannot be read', 'does not exist. Set model.teacher.checkpoint',
                     '--resume PATH: the file does not exist', 'must be a number, got',
                     'must be a finite number >= 0', 'is not a registered BaseDistillLoss subclass',
                     'Did you mean', 'is empty: it yields no samples',
                     'filter_empty_gt=True drops images without boxes',
                     "does not match this run: field 'teacher_digest'",
                     'there is no checkpoint to resume from', 'classes have no embedding',
                     'only M of the B batches were read',
                     'RandomStateHook: the random generators are not restored'):
        assert fragment in page, fragment
