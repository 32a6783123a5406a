"""Computing the ND class means on the toy classification pair: tools/compute_class_means.py and
ClassMeansHook (writes a missing file, refuses or recomputes a mismatched one)."""
import glob
import json
import math
import os.path as osp

import pytest
import torch
from helpers.runs import run_tool, save_random_teacher, teacher_config_of, toy_config, train
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DATASETS, init_default_scope

from mmkd_ext.distillers import build_teacher_model
from mmkd_ext.nd import ClassMeansHook, read_class_means, save_class_means
from mmkd_ext.utils.digest import file_digest

ND_CLS = 'nd-kd_resnet18w32-r18w8_toy-cls.py'
MEANS_FILE = 'work_dirs/class_means/toy_resnet18-w32_neck.pth'  # the config's, relative to the cwd
NO_FLIP = 'train_dataloader.dataset.pipeline.1.prob=0.0'  # deterministic "augmentation"


def direct_class_means(checkpoint: str) -> tuple:
    """Per-class mean of the teacher's pooled feature over the toy training split, computed plainly.

    Independent of the tool: the teacher's own preprocessor and ``extract_feat``, one image at a
    time, a Python dict of lists, no distiller, no recorder and no accumulator.
    """
    teacher = build_teacher_model(teacher_config_of(ND_CLS))
    teacher.load_state_dict(torch.load(checkpoint)['state_dict'])
    teacher.eval()
    init_default_scope('mmpretrain')
    dataset = DATASETS.build(dict(
        type='CustomDataset', data_root='data/toy/', data_prefix='cls/train', with_label=True,
        pipeline=[dict(type='LoadImageFromFile'), dict(type='PackInputs')]))
    per_class = {}
    with torch.no_grad():
        for i in range(len(dataset)):
            data = teacher.data_preprocessor(pseudo_collate([dataset[i]]), False)
            feat = teacher.extract_feat(data['inputs'])[-1][0]  # neck output, last level, sample 0
            per_class.setdefault(int(data['data_samples'][0].gt_label), []).append(feat)
    labels = sorted(per_class)
    means = torch.stack([torch.stack(per_class[k]).mean(0) for k in labels])
    counts = torch.tensor([len(per_class[k]) for k in labels])
    return labels, means, counts


# ------------------------------------------------------------------------------------------ tool

def test_tool_equals_a_direct_per_class_mean(in_toy_workspace):
    ckpt = save_random_teacher(ND_CLS, 'teacher.pth')
    run_tool('compute_class_means.py', [
        toy_config(ND_CLS), '--out', 'means.pth', '--cfg-options',
        f'model.teacher.checkpoint={ckpt}', NO_FLIP])
    record = read_class_means('means.pth')
    labels, means, counts = direct_class_means(ckpt)
    assert labels == [0, 1, 2, 3]
    torch.testing.assert_close(record['class_means'], means, rtol=1e-4, atol=1e-5)
    assert record['counts'].tolist() == counts.tolist()
    assert record['layer'] == 'neck[-1]'
    assert record['teacher_digest'] == file_digest(ckpt)
    assert record['teacher_checkpoint'] == ckpt
    assert (record['num_classes'], record['embed_dim']) == (4, 256)


def test_tool_with_max_iters_uses_only_those_batches(in_toy_workspace):
    ckpt = save_random_teacher(ND_CLS, 'teacher.pth')
    run_tool('compute_class_means.py', [
        toy_config(ND_CLS), '--out', 'part.pth', '--max-iters', '1', '--allow-missing',
        '--cfg-options', f'model.teacher.checkpoint={ckpt}', 'train_dataloader.batch_size=4'])
    assert int(read_class_means('part.pth')['counts'].sum()) == 4  # of the 16 images


# ------------------------------------------------------------------------------------------ hook

@pytest.mark.slow  # trains through tools/train.py
def test_hook_writes_missing_means_then_training_uses_them(in_toy_workspace):
    ckpt = save_random_teacher(ND_CLS, 'teacher.pth')
    assert not osp.exists(MEANS_FILE)
    train(toy_config(ND_CLS), 'run', [f'model.teacher.checkpoint={ckpt}'])
    record = read_class_means(MEANS_FILE)
    assert record['teacher_digest'] == file_digest(ckpt)
    assert record['layer'] == 'neck[-1]' and tuple(record['class_means'].shape) == (4, 256)
    assert int(record['counts'].sum()) == len(glob.glob('data/toy/cls/train/*/*.png'))

    # The logged losses: ND from the first iteration, KD warmed up from 0 (iteration-based here).
    scalars = glob.glob('run/*/vis_data/scalars.json')[0]
    with open(scalars) as f:
        logged = [json.loads(line) for line in f if 'distill.nd.loss_nd' in line]
    assert logged[0]['distill.kd.loss_kd'] == 0.0
    assert all(math.isfinite(r['distill.nd.loss_nd']) and r['distill.nd.loss_nd'] > 0
               for r in logged)


def build_runner(ckpt: str, work_dir: str):
    from mmengine.runner import Runner
    cfg = Config.fromfile(toy_config(ND_CLS))
    cfg.model.teacher.checkpoint = ckpt
    cfg.work_dir = work_dir
    return Runner.from_cfg(cfg)


def test_hook_refuses_a_mismatched_file_or_recomputes_it(in_toy_workspace):
    ckpt = save_random_teacher(ND_CLS, 'teacher.pth')
    runner = build_runner(ckpt, 'run')
    # A file of the right shape and layer, but computed for another teacher.
    save_class_means(MEANS_FILE, torch.ones(4, 256), torch.ones(4, dtype=torch.long),
                     layer='neck[-1]', teacher_config='other.py', teacher_checkpoint='other.pth',
                     teacher_digest='0123456789abcdef')
    with pytest.raises(ValueError, match=r"(?s)nd: .*'teacher_digest'.*on_mismatch='recompute'"):
        ClassMeansHook().before_train(runner)
    assert read_class_means(MEANS_FILE)['teacher_digest'] == '0123456789abcdef'  # untouched

    ClassMeansHook(on_mismatch='recompute').before_train(runner)
    record = read_class_means(MEANS_FILE)
    assert record['teacher_digest'] == file_digest(ckpt)
    nd = runner.model.points['nd'].loss
    torch.testing.assert_close(nd.class_means, record['class_means'])  # installed in the loss
    assert nd.expected['teacher_digest'] == file_digest(ckpt)

    # A correct file is reused, not recomputed.
    mtime = osp.getmtime(MEANS_FILE)
    ClassMeansHook().before_train(runner)
    assert osp.getmtime(MEANS_FILE) == mtime


def test_loss_refuses_a_file_of_another_teacher_after_the_hook(in_toy_workspace):
    ckpt = save_random_teacher(ND_CLS, 'teacher.pth')
    runner = build_runner(ckpt, 'run')
    ClassMeansHook().before_train(runner)
    save_class_means(MEANS_FILE, torch.ones(4, 256), torch.ones(4, dtype=torch.long),
                     layer='neck[-1]', teacher_config='other.py', teacher_checkpoint='other.pth',
                     teacher_digest='0123456789abcdef')
    with pytest.raises(ValueError, match='teacher_digest'):
        runner.model.points['nd'].loss.load()
