"""Evaluate a checkpoint (distiller or plain) on the config's test set.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out results.pkl] [--teacher]
                                           [--cfg-options k=v ...] [--launcher ...]

A distillation config is evaluated as its student alone (no teacher is built). With
``--teacher`` it evaluates its teacher instead (once, on request), from CHECKPOINT, in a work dir
of its own (``work_dirs/<config>_teacher`` unless ``--work-dir`` is given).
"""
import argparse

from mmengine.runner import Runner

import mmkd_ext  # noqa: F401
from mmkd_ext.apis import (add_runtime_args, explain_empty_datasets, load_cli_config,
                           parse_runtime_args, prepare_test_config, validate_test_config)
from mmkd_ext.utils.errors import run_tool_main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a model with MMEngine')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file (distiller, student export or plain; '
                        'with --teacher: the teacher checkpoint)')
    parser.add_argument('--work-dir', help='the dir to save the evaluation metrics (with --teacher: '
                        'default work_dirs/<config>_teacher)')
    parser.add_argument('--out', help='dump predictions to this pickle file')
    parser.add_argument('--teacher', action='store_true',
                        help='evaluate the teacher of a distillation config (its own checkpoint)')
    add_runtime_args(parser)
    return parse_runtime_args(parser)


def main() -> None:
    args = parse_args()
    cfg, work_dir = load_cli_config(args)
    prepare_test_config(cfg, args.checkpoint, work_dir=work_dir, out=args.out, teacher=args.teacher,
                        explicit_work_dir=bool(args.work_dir or cfg.get('work_dir')))
    validate_test_config(cfg)
    runner = Runner.from_cfg(cfg)
    with explain_empty_datasets(cfg):
        runner.test()


if __name__ == '__main__':
    run_tool_main(main)
