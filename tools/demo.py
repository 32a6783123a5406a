"""The CPU demo and benchmark: toy data, teachers, plain students and distilled students.

    python tools/demo.py                                   # the short demo: one seed, main methods
    python tools/demo.py --seeds 0 1 2 --all-methods       # the benchmark of the README
    python tools/demo.py --tasks cls --methods DiffKD --seeds 3 4

Per task the teacher is trained once (seed 0) on its own, longer schedule; then, for every seed,
the plain student and each distilled student with the identical schedule. Each run is a child
``tools/train.py`` process whose output goes to ``<work_dir>/.../train.log``; the terminal shows
one line per run and the results table. Finished runs are reused while their config, seed,
teacher, data and the mmkd_ext code are unchanged (``--force`` retrains). The table, ``runs.csv``,
``results.json`` and one PNG per task are written to ``--work-dir``.
"""
import argparse
import hashlib
import os
import os.path as osp
import sys
import time
from typing import Dict, List, Optional

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)  # the mmkd_ext of this checkout, also when it is not installed

from mmengine.config import Config  # noqa: E402

from mmkd_ext.benchmark import RunSpec, run_training, select_runs, write_report  # noqa: E402
from mmkd_ext.benchmark.report import RunRecord  # noqa: E402
from mmkd_ext.benchmark.runs import file_digest  # noqa: E402
from mmkd_ext.benchmark.suite import EXPERIMENTS, PlannedRun  # noqa: E402
from mmkd_ext.datasets import make_toy_data  # noqa: E402

CONFIGS = osp.join(REPO, 'configs', 'toy')
DATA_ROOT = 'data/toy'  # the toy configs' data_root, relative to the repository root


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='mmkd_ext CPU demo / benchmark on toy data')
    parser.add_argument('--work-dir', default='work_dirs/demo',
                        help='runs, logs, checkpoints and the report (default: work_dirs/demo)')
    parser.add_argument('--tasks', nargs='+', default=[e.task for e in EXPERIMENTS],
                        choices=[e.task for e in EXPERIMENTS])
    parser.add_argument('--seeds', nargs='+', type=int, default=[0],
                        help='student seeds (default: 0); the teachers always use seed 0')
    parser.add_argument('--all-methods', action='store_true',
                        help='every method of every task (default: the short demo\'s selection)')
    parser.add_argument('--methods', nargs='+', default=(),
                        help='only methods whose label or config contains one of these strings')
    parser.add_argument('--no-distill', action='store_true',
                        help='only the teachers and plain students (e.g. to measure the spread)')
    parser.add_argument('--force', action='store_true', help='retrain finished runs')
    return parser.parse_args()


def code_digest() -> str:
    """Hash of the mmkd_ext sources: a code change invalidates stored distillation results."""
    h = hashlib.sha256()
    root = osp.join(REPO, 'mmkd_ext')
    for folder, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        if osp.basename(folder) in ('benchmark', 'analysis', '__pycache__'):
            continue
        for name in sorted(files):
            if name.endswith('.py'):
                with open(osp.join(folder, name), 'rb') as f:
                    h.update(name.encode() + f.read())
    return h.hexdigest()[:16]


def config_digest(config: str, options: Dict[str, str]) -> str:
    cfg = Config.fromfile(config)
    cfg.merge_from_dict(options)
    return hashlib.sha256(cfg.pretty_text.encode()).hexdigest()[:16]


class Progress:
    """One terminal line per run: a bar while it trains (on a terminal), then its result."""

    def __init__(self, runs: List[PlannedRun]) -> None:
        self.runs = runs
        self.walls: Dict[str, List[float]] = {}
        self.start = time.time()
        self.tty = sys.stdout.isatty()
        self.index = 0
        self.run_start = 0.0

    def _estimate(self, run: PlannedRun) -> Optional[float]:
        for key in (run.config, run.experiment.task, '*'):
            if self.walls.get(key):
                return sum(self.walls[key]) / len(self.walls[key])
        return None

    def begin(self, index: int) -> None:
        self.index, self.run_start = index, time.time()

    def _head(self) -> str:
        run = self.runs[self.index]
        return (f'[{self.index + 1:>2}/{len(self.runs)}] {run.experiment.task:<6} '
                f'{run.label:<20.20} seed {run.seed}')

    def _remaining_after(self) -> str:
        estimates = [self._estimate(r) for r in self.runs[self.index + 1:]]
        if any(e is None for e in estimates):
            return ''
        return f' · all done in ~{sum(estimates) / 60:.0f} min'

    def update(self, it: int, total: int) -> None:
        if not self.tty or it <= 0:
            return
        elapsed = time.time() - self.run_start
        left = elapsed / it * (total - it)
        bar = '#' * int(20 * it / total) + '-' * (20 - int(20 * it / total))
        print(f'\r{self._head()} |{bar}| {it}/{total} {left:4.0f} s left{self._remaining_after()}  ',
              end='', flush=True)

    def done(self, text: str, wall: float) -> None:
        run = self.runs[self.index]
        for key in (run.config, run.experiment.task, '*'):
            self.walls.setdefault(key, []).append(wall)
        line = f'{self._head()}  {text}'
        print(('\r' + line.ljust(100)) if self.tty else line, flush=True)


def main() -> None:
    args = parse_args()
    runs = select_runs(args.tasks, args.seeds, args.all_methods, args.methods,
                       not args.no_distill)
    if not runs:
        raise SystemExit(f'nothing to run: no method matches {list(args.methods)}')
    start = time.time()
    data = make_toy_data(osp.join(REPO, DATA_ROOT), verbose=False)
    data_digest = file_digest(osp.join(REPO, DATA_ROOT, 'meta.json'))
    code = code_digest()
    print(f'[demo] {len(runs)} runs on {osp.abspath(data["root"])}; logs under {args.work_dir}/')

    progress = Progress(runs)
    teachers: Dict[str, str] = {}
    records: List[RunRecord] = []
    for index, run in enumerate(runs):
        exp = run.experiment
        config = osp.join(CONFIGS, run.config)
        name = 'teacher' if run.role == 'teacher' else osp.splitext(run.config)[0]
        work_dir = osp.join(args.work_dir, exp.task, name, f'seed{run.seed}')
        options: Dict[str, str] = {}
        fingerprint = dict(data=data_digest)
        if run.role == 'distilled':
            # Teachers and plain students are stock toolbox models: only a distilled run
            # depends on mmkd_ext's code.
            options['model.teacher.checkpoint'] = teachers[exp.task]
            fingerprint.update(code=code, teacher=file_digest(teachers[exp.task]))
        fingerprint['config'] = config_digest(config, options)
        progress.begin(index)
        result = run_training(RunSpec(config, work_dir, run.seed, options, fingerprint), exp.metric,
                              REPO, on_progress=progress.update, force=args.force)
        if run.role == 'teacher':
            teachers[exp.task] = result.checkpoint
        value = result.metric * exp.scale
        records.append(RunRecord(exp.task, run.label, run.config, run.seed, value,
                                 result.seconds_per_iter, result.wall_seconds))
        how = 'reused' if result.reused else f'{result.wall_seconds:.0f} s'
        progress.done(f'{exp.metric_label} {value:6.2f}  ({how}, {result.seconds_per_iter:.3f} '
                      f's/iter)', 0.0 if result.reused else result.wall_seconds)

    protocol = dict(
        command='python tools/demo.py ' + ' '.join(sys.argv[1:]),
        teacher_seed=0,
        seeds=list(args.seeds),
        data=data['meta'],
        note='teachers trained once (seed 0) on their own longer schedule; every student of a '
        'task has the identical schedule, data and seed set')
    table = write_report(records, args.seeds, args.work_dir, protocol)
    print('\n' + table)
    print(f'\nTotal time: {(time.time() - start) / 60:.1f} min. Report (results.md, runs.csv, '
          f'results.json, one PNG per task) and per-run logs under {args.work_dir}/.')


if __name__ == '__main__':
    main()
