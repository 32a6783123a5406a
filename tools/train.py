"""Train a distillation (or any plain OpenMMLab) config.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp] [--auto-scale-lr]
                                 [--cfg-options k=v ...] [--launcher none|pytorch|slurm|mpi]
"""
import argparse
import os

from mmengine.config import DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

import mmkd_ext  # noqa: F401  (registers components, allow-lists checkpoint types)
from mmkd_ext.utils.errors import run_tool_main
from mmkd_ext.utils.runtime import (explain_empty_datasets, load_cli_config, prepare_train_config,
                                    warn_if_nothing_to_resume)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model (distiller or plain) with MMEngine')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and checkpoints')
    parser.add_argument('--amp', action='store_true', help='enable automatic mixed precision')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by the real batch size / auto_scale_lr.base_batch_size')
    parser.add_argument('--resume', nargs='?', type=str, const='auto',
                        help='resume from this checkpoint, or from the latest one in the work dir '
                             'when no path is given')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, e.g. model.teacher.checkpoint=PATH or '
                        'data_root=DIR (re-roots every dataset and annotation file)')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main() -> None:
    args = parse_args()
    cfg, work_dir = load_cli_config(args)
    prepare_train_config(cfg, work_dir=work_dir, amp=args.amp, auto_scale_lr=args.auto_scale_lr,
                         resume=args.resume)
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    warn_if_nothing_to_resume(cfg)
    with explain_empty_datasets(cfg):
        runner.train()


if __name__ == '__main__':
    run_tool_main(main)
