"""List every module's output shape in a student and a teacher; check the distillation points.

    python tools/inspect_features.py CONFIG [--fake] [--batch-size 2] [--size H W]
                                     [--filter PATTERN] [--random-teacher] [--cfg-options k=v ...]
    python tools/inspect_features.py --student-config A --teacher-config B [--teacher-checkpoint T]
                                     [--fake] ...              (A and B: paths or pkg::path)

Runs ONE batch (the first of the config's train dataloader, or random images with ``--fake``)
through the student (loss mode, as in training) and the whole teacher, with forward hooks on every
module (or those whose name matches ``--filter``: fnmatch ``'neck*'`` or a regular expression).
Prints each module's output in execution order, marks the configured distillation points, checks
each point (the module exists, ran, records a tensor, and the connector and loss accept the pair)
and suggests student/teacher pairs with matching spatial sizes. Run it before training a new
config: every problem it reports would otherwise stop the first iteration.
"""
import argparse

from mmengine.config import DictAction
from mmengine.registry import init_default_scope

import mmkd_ext  # noqa: F401
from mmkd_ext.analysis.inspect import (build_pair, first_batch, format_report, inspect_pair,
                                       module_filter)
from mmkd_ext.apis import load_config
from mmkd_ext.apis.validate import check_datasets
from mmkd_ext.utils.errors import run_tool_main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Inspect the features of a distillation pair')
    parser.add_argument('config', nargs='?', help='distillation config')
    parser.add_argument('--student-config', help='plain student config or pkg::path (pair mode)')
    parser.add_argument('--teacher-config', help='plain teacher config or pkg::path (pair mode)')
    parser.add_argument('--teacher-checkpoint', help='teacher weights (pair mode)')
    parser.add_argument('--random-teacher', action='store_true',
                        help='do not load the teacher checkpoint (shapes do not depend on it)')
    parser.add_argument('--fake', action='store_true', help='a synthetic batch instead of the data')
    parser.add_argument('--batch-size', type=int, default=2)
    parser.add_argument('--size', type=int, nargs=2, default=[224, 224], metavar=('H', 'W'),
                        help='image size of the --fake batch')
    parser.add_argument('--filter', help='trace only modules matching this fnmatch/regex pattern')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of CONFIG (or of the student config)')
    args = parser.parse_args()
    if bool(args.student_config) != bool(args.teacher_config):
        parser.error('pair mode needs both --student-config and --teacher-config')
    if not args.config and not args.student_config:
        parser.error('give a distillation CONFIG or --student-config and --teacher-config')
    return args


def main() -> None:
    args = parse_args()
    cfg = load_config(args.student_config or args.config, args.cfg_options)
    if not args.fake:
        check_datasets(cfg, ('train_dataloader', ))
    init_default_scope(cfg.get('default_scope', 'mmengine'))
    student, teacher, points = build_pair(cfg, teacher_cfg=args.teacher_config,
                                          teacher_checkpoint=args.teacher_checkpoint,
                                          random_teacher=args.random_teacher)
    inputs, samples = first_batch(student, cfg, args.batch_size, tuple(args.size), args.fake)
    report = inspect_pair(student, teacher, inputs, samples, points, module_filter(args.filter))
    print(format_report(report))


if __name__ == '__main__':
    run_tool_main(main)
