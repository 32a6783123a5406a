"""The toy data generator: deterministic, reused when unchanged, annotations that agree.

(The toy configs train on it in tests/configs/test_every_config.py.)"""
import glob
import json
import os
import os.path as osp
from typing import Dict, List

import numpy as np

from mmkd_ext.datasets import TOY_CLASSES, make_toy_data


def _read_tree(root: str) -> Dict[str, bytes]:
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = osp.join(dirpath, name)
            with open(path, 'rb') as f:
                out[osp.relpath(path, root)] = f.read()
    return out


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


def test_generator_annotations_agree(toy_data):
    toy_root = toy_data  # tests/conftest.py: 16 + 8 images per task
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
