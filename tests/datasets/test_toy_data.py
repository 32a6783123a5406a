"""The toy data generator and the stock (non-distillation) toy configs under ``configs/toy``.

Every config is trained for 2 iterations and validated through MMEngine's Runner on a tiny
generated data set, so a broken pipeline, model or evaluator setting fails here in seconds.
"""
import glob
import json
import math
import os
import os.path as osp
from typing import Dict, List

import numpy as np
import pytest

from mmkd_ext.datasets import TOY_CLASSES, make_toy_data, set_toy_data_root

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG_DIR = osp.join(REPO_ROOT, 'configs', 'toy')
# The stock (non-distillation) teacher (w32) / student (w8) configs; the distillation configs
# beside them are tested elsewhere.
CONFIGS = [
    'faster-rcnn_r18-w32_fpn_toy-det.py', 'faster-rcnn_r18-w8_fpn_toy-det.py',
    'retinanet_r18-w32_fpn_toy-det.py', 'retinanet_r18-w8_fpn_toy-det.py',
    'fcn_r18-w32_toy-seg.py', 'fcn_r18-w8_toy-seg.py',
    'resnet18-w32_toy-cls.py', 'resnet18-w8_toy-cls.py',
]
# The metric every task's evaluator must report (a sample of its keys).
METRIC_KEYS = {
    'det': 'coco/bbox_mAP',
    'seg': 'mIoU',
    'cls': 'accuracy/top1',
}


def _read_tree(root: str) -> Dict[str, bytes]:
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = osp.join(dirpath, name)
            with open(path, 'rb') as f:
                out[osp.relpath(path, root)] = f.read()
    return out


@pytest.fixture(scope='module')
def toy_root(tmp_path_factory) -> str:
    root = str(tmp_path_factory.mktemp('toy_data'))
    make_toy_data(root, num_train=16, num_val=8, num_cls_train=16, num_cls_val=8, verbose=False)
    return root


def test_generator_deterministic_and_skips(tmp_path):
    a, b = str(tmp_path / 'a'), str(tmp_path / 'b')
    small = dict(num_val=4, num_cls_train=6, num_cls_val=4, verbose=False)
    first = make_toy_data(a, num_train=6, seed=3, **small)
    make_toy_data(b, num_train=6, seed=3, **small)
    assert not first['skipped']
    tree_a, tree_b = _read_tree(a), _read_tree(b)
    assert len(tree_a) == 1 + 2 + 2 * (6 + 4) + (6 + 4)  # meta, 2 jsons, images+masks, cls
    assert tree_a == tree_b

    # Same arguments: reused untouched. Other arguments: regenerated, no stale files left.
    assert make_toy_data(a, num_train=6, seed=3, **small)['skipped']
    assert not make_toy_data(a, num_train=3, seed=3, **small)['skipped']
    assert len(glob.glob(osp.join(a, 'img_dir', 'train', '*.png'))) == 3
    # Image i does not depend on how many images were asked for.
    assert _read_tree(a)['img_dir/train/000002.png'] == tree_b['img_dir/train/000002.png']
    # Another seed gives other images.
    make_toy_data(b, num_train=6, seed=4, **small)
    assert _read_tree(b)['img_dir/train/000000.png'] != tree_a['img_dir/train/000000.png']


def test_generator_annotations_agree(toy_root):
    import cv2
    for split, num in (('train', 16), ('val', 8)):
        with open(osp.join(toy_root, 'annotations', f'{split}.json')) as f:
            coco = json.load(f)
        assert [c['id'] for c in coco['categories']] == list(range(1, len(TOY_CLASSES) + 1))
        assert [c['name'] for c in coco['categories']] == list(TOY_CLASSES)
        assert len(coco['images']) == num
        per_image: Dict[int, List[dict]] = {}
        for ann in coco['annotations']:
            per_image.setdefault(ann['image_id'], []).append(ann)
        for img in coco['images']:
            anns = per_image[img['id']]
            assert 1 <= len(anns) <= 3
            mask = cv2.imread(
                osp.join(toy_root, 'ann_dir', split, img['file_name']), cv2.IMREAD_UNCHANGED)
            assert mask.dtype == np.uint8 and mask.shape == (img['height'], img['width'])
            assert set(np.unique(mask)) <= set(range(len(TOY_CLASSES) + 1))
            for ann in anns:
                x, y, w, h = ann['bbox']
                assert w >= 4 and h >= 4 and ann['iscrowd'] == 0 and ann['area'] > 0
                assert x >= 0 and y >= 0 and x + w <= img['width'] and y + h <= img['height']
                # The box is tight on the shape's pixels in the semantic mask.
                inside = mask[int(y):int(y + h), int(x):int(x + w)] == ann['category_id']
                assert inside[0].any() and inside[-1].any()
                assert inside[:, 0].any() and inside[:, -1].any()
                assert inside.sum() == ann['area']
    for split, num in (('train', 16), ('val', 8)):
        files = glob.glob(osp.join(toy_root, 'cls', split, '*', '*.png'))
        assert len(files) == num
        assert sorted(os.listdir(osp.join(toy_root, 'cls', split))) == sorted(TOY_CLASSES)


@pytest.mark.parametrize('config_name', CONFIGS)
def test_toy_config_trains_and_validates(config_name: str, toy_root: str, tmp_path) -> None:
    from mmengine.config import Config
    from mmengine.hooks import Hook
    from mmengine.runner import Runner

    class LossRecorder(Hook):
        """Keeps the log variables (losses) of every training iteration."""

        def __init__(self) -> None:
            self.records: List[dict] = []

        def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
            self.records.append({k: float(v) for k, v in (outputs or {}).items()})

    cfg = Config.fromfile(osp.join(CONFIG_DIR, config_name))
    set_toy_data_root(cfg, toy_root)
    cfg.work_dir = str(tmp_path)
    cfg.train_cfg.max_iters = 2
    # The tiny generated set holds fewer images than a classification batch (drop_last).
    cfg.train_dataloader.batch_size = min(cfg.train_dataloader.batch_size, 4)
    # No validation inside train(): it runs once below, where its metrics are returned.
    cfg.train_cfg.val_begin = 10**9
    cfg.default_hooks.logger.interval = 1
    cfg.default_hooks.checkpoint = None  # saves time; the hook itself is stock
    cfg.log_level = 'WARNING'
    # After 2 iterations no detection may pass the score threshold, and CocoMetric then
    # returns no keys at all: keep every box so that the metric is always computed.
    test_cfg = cfg.model.get('test_cfg') or {}
    if 'score_thr' in test_cfg:
        test_cfg['score_thr'] = 0.0
    if 'score_thr' in (test_cfg.get('rcnn') or {}):
        test_cfg['rcnn']['score_thr'] = 0.0
    runner = Runner.from_cfg(cfg)
    recorder = LossRecorder()
    runner.register_hook(recorder, priority='LOWEST')
    runner.train()

    assert len(recorder.records) == 2
    for record in recorder.records:
        assert 'loss' in record
        assert all(math.isfinite(v) for v in record.values()), record

    metrics = runner.val()
    task = config_name.rsplit('toy-', 1)[1][:-len('.py')]
    assert METRIC_KEYS[task] in metrics, sorted(metrics)
    assert math.isfinite(float(metrics[METRIC_KEYS[task]]))


def test_teacher_student_pairs_share_data_settings():
    """A teacher (w32) and its student (w8) differ in the model widths only."""
    from mmengine.config import Config
    pairs = [(n, n.replace('-w32', '-w8')) for n in CONFIGS if '-w32' in n]
    assert len(pairs) == 4
    for teacher_name, student_name in pairs:
        teacher = Config.fromfile(osp.join(CONFIG_DIR, teacher_name))
        student = Config.fromfile(osp.join(CONFIG_DIR, student_name))
        for key in ('train_dataloader', 'val_dataloader', 'val_evaluator', 'default_scope'):
            assert teacher[key] == student[key], (teacher_name, key)
        assert teacher.model.data_preprocessor == student.model.data_preprocessor
        assert teacher.model.backbone.base_channels == 32
        assert student.model.backbone.base_channels == 8
