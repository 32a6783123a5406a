"""Train a distillation (or any plain OpenMMLab) config.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp] [--auto-scale-lr]
                                 [--cfg-options k=v ...] [--launcher none|pytorch|slurm|mpi]
    python tools/train.py --student CFG --teacher CFG --method METHOD [--teacher-checkpoint T] ...

With --student/--teacher/--method the config is generated (tools/make_config.py) into the work dir
and trained from there, so --resume and tools/test.py use the written file.
"""
import argparse

from mmengine.registry import RUNNERS
from mmengine.runner import Runner

import mmkd_ext  # noqa: F401  (registers components, allow-lists checkpoint types)
from mmkd_ext.apis import (add_runtime_args, explain_empty_datasets, load_cli_config,
                           parse_runtime_args, prepare_train_config, validate_train_config,
                           warn_if_nothing_to_resume)
from mmkd_ext.apis.make_config import add_pair_args, generate_train_config
from mmkd_ext.utils.errors import run_tool_main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model (distiller or plain) with MMEngine')
    parser.add_argument('config', nargs='?', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and checkpoints')
    parser.add_argument('--amp', action='store_true', help='enable automatic mixed precision')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by the real batch size / auto_scale_lr.base_batch_size')
    parser.add_argument('--resume', nargs='?', type=str, const='auto',
                        help='resume from this checkpoint, or from the latest one in the work dir '
                             'when no path is given')
    add_runtime_args(parser)
    add_pair_args(parser)
    return parse_runtime_args(parser)


def main() -> None:
    args = parse_args()
    generate_train_config(args)
    cfg, work_dir = load_cli_config(args)
    prepare_train_config(cfg, work_dir=work_dir, amp=args.amp, auto_scale_lr=args.auto_scale_lr,
                         resume=args.resume)
    validate_train_config(cfg)
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    warn_if_nothing_to_resume(cfg)
    with explain_empty_datasets(cfg):
        runner.train()


if __name__ == '__main__':
    run_tool_main(main)
