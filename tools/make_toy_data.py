"""Generate the synthetic toy data set used by ``configs/toy`` (a thin CLI over
:func:`mmkd_ext.datasets.toy_data.make_toy_data`).

Example::

    python tools/make_toy_data.py                      # -> data/toy (skipped if up to date)
    python tools/make_toy_data.py --out /tmp/toy --num-train 16 --num-val 8
    python tools/train.py configs/toy/resnet18-w8_toy-cls.py --cfg-options data_root=/tmp/toy
"""
import argparse
import importlib.util
import os.path as osp
import sys
from types import ModuleType
from typing import List, Optional

#: Where the configs in configs/toy look for the data (relative to the working directory).
DEFAULT_OUT = 'data/toy'


def _load_toy_data() -> ModuleType:
    """Load ``mmkd_ext/datasets/toy_data.py`` by path.

    Importing it through the package would run ``mmkd_ext/__init__.py``, which imports torch and
    mmengine (slow, and not needed here): the generator needs only numpy and OpenCV, so it also
    runs in an environment where the OpenMMLab stack is not installed yet.
    """
    root = osp.dirname(osp.dirname(osp.abspath(__file__)))
    # In a checkout tools/ lies beside mmkd_ext/; in an installed package it is mmkd_ext/.mim/tools/
    package = osp.dirname(root) if osp.basename(root) == '.mim' else osp.join(root, 'mmkd_ext')
    path = osp.join(package, 'datasets', 'toy_data.py')
    spec = importlib.util.spec_from_file_location('_mmkd_ext_toy_data', path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', default=DEFAULT_OUT, help=f'output folder (default: {DEFAULT_OUT})')
    parser.add_argument('--num-train', type=int, default=400,
                        help='multi-shape training images (detection + segmentation)')
    parser.add_argument('--num-val', type=int, default=300, help='multi-shape validation images')
    parser.add_argument('--num-cls-train', type=int, default=3000,
                        help='single-shape training images for classification')
    parser.add_argument('--num-cls-val', type=int, default=1000,
                        help='single-shape validation images')
    parser.add_argument('--size', type=int, default=64, help='image width = height in pixels')
    parser.add_argument('--cls-size', type=int, default=32,
                        help='image width = height of the single-shape (classification) set')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument('--max-shapes', type=int, default=3, help='most shapes per image')
    parser.add_argument('--force', action='store_true', help='regenerate even if up to date')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    toy_data = _load_toy_data()
    toy_data.make_toy_data(
        args.out,
        num_train=args.num_train,
        num_val=args.num_val,
        size=args.size,
        seed=args.seed,
        num_cls_train=args.num_cls_train,
        num_cls_val=args.num_cls_val,
        cls_size=args.cls_size,
        max_shapes=args.max_shapes,
        force=args.force)
    if osp.normpath(args.out) != osp.normpath(DEFAULT_OUT):
        # The toy configs read data/toy/: say how to point every tool at this folder instead.
        print(f'[make_toy_data] the configs in configs/toy read {DEFAULT_OUT}/; to use '
              f'{args.out} add `--cfg-options data_root={args.out}` to tools/train.py, test.py, '
              f'inspect_features.py, analyze.py or compute_class_means.py')


if __name__ == '__main__':
    sys.exit(main())
