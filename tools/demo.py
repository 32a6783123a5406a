"""The CPU demo: toy data, toy teachers, plain students and distilled students, one results table.

    python tools/demo.py [--work-dir work_dirs/demo] [--tasks det seg cls] [--force]

Runs that already finished (their last checkpoint exists) are reused, so a second run only
re-evaluates. Every model trains from scratch on the generated toy set with the same schedule.
"""
import argparse
import os.path as osp
import time
from typing import Dict, List, NamedTuple, Optional

from mmengine.config import Config
from mmengine.runner import Runner

import mmkd_ext  # noqa: F401
from mmkd_ext.datasets import make_toy_data
from mmkd_ext.utils.runtime import prepare_train_config

CONFIGS = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'configs', 'toy')


class Experiment(NamedTuple):
    """A teacher/student pair of one task and the distillation configs run on it."""
    task: str
    metric: str  # the key of the runner's validation metrics
    teacher: str
    student: str
    methods: Dict[str, str]  # label -> distillation config


EXPERIMENTS: List[Experiment] = [
    Experiment('det', 'coco/bbox_mAP', 'faster-rcnn_r18-w32_fpn_toy-det.py',
               'faster-rcnn_r18-w8_fpn_toy-det.py',
               {'FPN MSE': 'mse_faster-rcnn_r18w32-r18w8_fpn_toy-det.py',
                'DiffKD': 'diffkd_faster-rcnn_r18w32-r18w8_fpn_toy-det.py'}),
    Experiment('seg', 'mIoU', 'fcn_r18-w32_toy-seg.py', 'fcn_r18-w8_toy-seg.py',
               {'KD + proj. MSE': 'kd_fcn_r18w32-r18w8_toy-seg.py'}),
    Experiment('cls', 'accuracy/top1', 'resnet18-w32_toy-cls.py', 'resnet18-w8_toy-cls.py',
               {'KD + proj. MSE': 'kd_resnet18w32-r18w8_toy-cls.py',
                'DiffKD': 'diffkd_resnet18w32-r18w8_toy-cls.py',
                'PEFD': 'pefd_resnet18w32-r18w8_toy-cls.py',
                'KD++ (KD + ND)': 'nd-kd_resnet18w32-r18w8_toy-cls.py'}),
]


class RunResult(NamedTuple):
    metric: float
    seconds_per_iter: float
    checkpoint: str


def last_checkpoint(work_dir: str) -> Optional[str]:
    marker = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(marker):
        return None
    with open(marker) as f:
        path = f.read().strip()
    return path if osp.isfile(path) else None


def train_and_evaluate(config: str, work_dir: str, metric: str, force: bool,
                       options: Optional[dict] = None) -> RunResult:
    """Train ``config`` (unless a finished run exists) and evaluate its final checkpoint."""
    cfg = Config.fromfile(osp.join(CONFIGS, config))
    if options:
        cfg.merge_from_dict(options)
    prepare_train_config(cfg, work_dir=work_dir)
    # Quiet runs: the table at the end is the output (losses/metrics: work_dir/*/vis_data).
    cfg.log_level = 'WARNING'
    timing_file = osp.join(work_dir, 'seconds_per_iter.txt')
    done = last_checkpoint(work_dir)
    if force or done is None or not osp.isfile(timing_file):
        print(f'[demo] training {config} -> {work_dir}', flush=True)
        runner = Runner.from_cfg(cfg)
        runner.train()
        seconds = runner.message_hub.get_scalar('train/time').mean()
        with open(timing_file, 'w') as f:
            f.write(f'{seconds}\n')
        metrics = runner.val()
    else:
        cfg.load_from = done
        cfg.resume = False
        runner = Runner.from_cfg(cfg)
        metrics = runner.val()  # Runner.val loads `load_from` first
    with open(timing_file) as f:
        seconds = float(f.read())
    print(f'[demo] {config}: {metric} = {float(metrics[metric]):.3f}', flush=True)
    return RunResult(float(metrics[metric]), seconds, last_checkpoint(work_dir))


def main() -> None:
    parser = argparse.ArgumentParser(description='mmkd_ext CPU demo on generated toy data')
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--tasks', nargs='+', default=[e.task for e in EXPERIMENTS],
                        choices=[e.task for e in EXPERIMENTS])
    parser.add_argument('--force', action='store_true', help='retrain finished runs')
    args = parser.parse_args()
    start = time.time()
    make_toy_data('data/toy')  # the toy configs read data/toy/ (relative to the repository root)

    rows = []
    for exp in (e for e in EXPERIMENTS if e.task in args.tasks):
        teacher = train_and_evaluate(exp.teacher, osp.join(args.work_dir, exp.task, 'teacher'),
                                     exp.metric, args.force)
        student = train_and_evaluate(exp.student, osp.join(args.work_dir, exp.task, 'student'),
                                     exp.metric, args.force)
        for label, config in exp.methods.items():
            work_dir = osp.join(args.work_dir, exp.task, osp.splitext(config)[0])
            distilled = train_and_evaluate(
                config, work_dir, exp.metric, args.force,
                {'model.teacher.checkpoint': teacher.checkpoint})
            rows.append((exp, label, teacher, student, distilled))

    print_table(rows)
    print(f'\nTotal demo time: {(time.time() - start) / 60:.1f} min. Checkpoints, logs and the '
          f'exported students (*_student.pth) are under {args.work_dir}/.')


def print_table(rows) -> None:
    header = ('task', 'metric', 'method', 'teacher', 'student', 'distilled', 'gain',
              's/iter T / S / D')
    lines = [header]
    for exp, label, t, s, d in rows:
        lines.append((exp.task, exp.metric, label, f'{t.metric:.3f}', f'{s.metric:.3f}',
                      f'{d.metric:.3f}', f'{d.metric - s.metric:+.3f}',
                      f'{t.seconds_per_iter:.3f} / {s.seconds_per_iter:.3f} / '
                      f'{d.seconds_per_iter:.3f}'))
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    print()
    for n, line in enumerate(lines):
        print('  '.join(str(cell).ljust(w) for cell, w in zip(line, widths)))
        if n == 0:
            print('  '.join('-' * w for w in widths))


if __name__ == '__main__':
    main()
