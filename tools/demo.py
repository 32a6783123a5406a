"""The CPU demo and benchmark: toy data, teachers, plain students and distilled students.

    python tools/demo.py                                   # the short demo: one seed, main methods
    python tools/demo.py --benchmark                       # the benchmark of the README
    python tools/demo.py --benchmark --held-out            # ... and its held-out seeds
    python tools/demo.py --seeds 0 1 2 --all-methods       # any seeds
    python tools/demo.py --tasks cls --methods DiffKD --seeds 3 4

Per task the teacher is trained once (seed 0) on its own, longer schedule; then, for every seed,
the plain student and each distilled student with the identical schedule. Each run is a child
``tools/train.py`` process whose output goes to ``<work_dir>/.../train.log``; the terminal shows
one line per run and the results table. Finished runs are reused while their config, seed,
teacher and data are unchanged; after changing mmkd_ext's code, retrain with ``--force``. The
table, ``runs.csv``, ``results.json`` and PNGs are written to ``--work-dir``.
"""
import argparse
import os
import os.path as osp
import sys
import time
from typing import Dict, List, Optional, Tuple

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)  # the mmkd_ext of this checkout, also when it is not installed

from mmkd_ext.harness import select_runs, write_report  # noqa: E402
from mmkd_ext.harness.report import RunRecord  # noqa: E402
from mmkd_ext.harness.reproduce import Reproduction, RowResult  # noqa: E402
from mmkd_ext.harness.runs import Launcher, TrainingRun  # noqa: E402
from mmkd_ext.harness.suite import (BENCHMARK_SEEDS, EXPERIMENTS,  # noqa: E402
                                    HELD_OUT_SEEDS, PlannedRun)
from mmkd_ext.harness.tables import TableRun, toy_table  # noqa: E402
from mmkd_ext.datasets import make_toy_data  # noqa: E402

DATA_ROOT = 'data/toy'  # the toy configs' data_root, relative to the repository root


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='mmkd_ext CPU demo / benchmark on toy data')
    parser.add_argument('--work-dir', default='work_dirs/demo',
                        help='runs, logs, checkpoints and the report (default: work_dirs/demo)')
    parser.add_argument('--tasks', nargs='+', default=[e.task for e in EXPERIMENTS],
                        choices=[e.task for e in EXPERIMENTS])
    parser.add_argument('--seeds', nargs='+', type=int, default=None,
                        help='student seeds (default: 0); the teachers always use seed 0')
    parser.add_argument('--benchmark', action='store_true',
                        help='the README benchmark: every method, each task with its own seeds '
                        '(mmkd_ext.harness.suite.BENCHMARK_SEEDS)')
    parser.add_argument('--held-out', action='store_true',
                        help='with --benchmark: also the held-out seeds (HELD_OUT_SEEDS); the '
                        'table shows whether each verdict holds on them')
    parser.add_argument('--all-methods', action='store_true',
                        help='every method of every task (default: the short demo\'s selection)')
    parser.add_argument('--methods', nargs='+', default=(),
                        help='only methods whose label or config contains one of these strings')
    parser.add_argument('--no-distill', action='store_true',
                        help='only the teachers and plain students (e.g. to measure the spread)')
    parser.add_argument('--jobs', type=int, default=min(os.cpu_count() or 1, 4),
                        help='runs at a time, each single-threaded (default: the CPU count, at '
                        'most 4); the numbers do not depend on it')
    parser.add_argument('--force', action='store_true', help='retrain finished runs')
    args = parser.parse_args()
    if args.benchmark and args.seeds is not None:
        parser.error('--benchmark sets the seeds of every task; drop --seeds')
    if args.held_out and not args.benchmark:
        parser.error('--held-out goes with --benchmark')
    args.all_methods = args.all_methods or args.benchmark
    return args


def plan_seeds(args: argparse.Namespace) -> Tuple[Dict[str, List[int]], Dict[str, List[int]]]:
    """The design seeds and the held-out seeds (empty without --held-out) per task."""
    if not args.benchmark:
        seeds = args.seeds if args.seeds is not None else [0]
        return {t: list(seeds) for t in args.tasks}, {t: [] for t in args.tasks}
    held_out = {t: list(HELD_OUT_SEEDS[t]) if args.held_out else [] for t in args.tasks}
    return {t: list(BENCHMARK_SEEDS[t]) for t in args.tasks}, held_out


class Progress:
    """Terminal output: a line per finished run; on a terminal, a status line of the active ones."""

    def __init__(self, runs: List[PlannedRun], jobs: int) -> None:
        self.runs, self.jobs = runs, jobs
        self.walls: Dict[str, List[float]] = {}
        self.tty = sys.stdout.isatty()
        self.finished = 0

    def estimate(self, run: PlannedRun) -> Optional[float]:
        """Expected wall seconds of ``run`` from finished runs (same config, else same task)."""
        for key in (run.config, run.experiment.task):
            if self.walls.get(key):
                return sum(self.walls[key]) / len(self.walls[key])
        return None

    @staticmethod
    def head(index: int, total: int, run: PlannedRun) -> str:
        return (f'[{index + 1:>2}/{total}] {run.experiment.task:<6} {run.label:<20.20} '
                f'seed {run.seed}')

    def status(self, active: Dict[int, tuple], pending: List[int]) -> None:
        if not self.tty:
            return
        parts = []
        for index, (run, training) in sorted(active.items()):
            done = training.iteration / training.max_iters if training.max_iters else 0.0
            bar = '#' * round(10 * done) + '-' * (10 - round(10 * done))
            parts.append(f'{run.experiment.task}/{run.label[:12]} s{run.seed} [{bar}] '
                         f'{training.iteration}/{training.max_iters or "?"}')
        left = [self.estimate(self.runs[i]) for i in pending]
        for run, training in active.values():
            expected = self.estimate(run)
            left.append(None if expected is None else max(0.0, expected - training.elapsed))
        eta = ('' if any(e is None for e in left) else
               f' · ~{sum(left) / self.jobs / 60:.0f} min left')
        line = f'  {self.finished}/{len(self.runs)} done{eta} · ' + ' | '.join(parts)
        print('\r' + line[:150].ljust(150), end='', flush=True)

    def done(self, index: int, text: str, wall: Optional[float]) -> None:
        run = self.runs[index]
        self.finished += 1
        if wall is not None:
            for key in (run.config, run.experiment.task):
                self.walls.setdefault(key, []).append(wall)
        line = f'{self.head(index, len(self.runs), run)}  {text}'
        print(('\r' + line.ljust(150)) if self.tty else line, flush=True)


def run_all(runs: List[PlannedRun], args: argparse.Namespace) -> List[RunRecord]:
    """Run (or reuse) every planned run through the harness of ``tools/reproduce.py`` (the toy
    table of these runs), ``args.jobs`` at a time; records in plan order.

    Interrupted runs start again rather than resume: the benchmark's numbers come from
    uninterrupted runs.
    """
    table = toy_table(runs)
    index = {run.name: i for i, run in enumerate(table.runs)}
    progress = Progress(runs, args.jobs)
    results: Dict[int, RunRecord] = {}

    def finish(row: RowResult) -> None:
        i = index[row.run.name]
        run, result = runs[i], row.result
        if result is None:
            raise RuntimeError(f'training {row.run.config} (seed {run.seed}) {row.status}; '
                               f'full log: {row.log}\n{row.tail}')
        exp = run.experiment
        value = result.metric * exp.scale
        results[i] = RunRecord(exp.task, run.label, run.config, run.seed, value,
                               result.seconds_per_iter, result.wall_seconds)
        how = 'reused' if result.reused else f'{result.wall_seconds:.0f} s'
        progress.done(i, f'{exp.metric_label} {value:6.2f}  ({how}, '
                      f'{result.seconds_per_iter:.3f} s/iter)',
                      None if result.reused else result.wall_seconds)

    def tick(active: Dict[str, TrainingRun], pending: List[TableRun]) -> None:
        progress.status({index[name]: (runs[index[name]], training)
                         for name, training in active.items()},
                        [index[run.name] for run in pending])

    repro = Reproduction(table, args.work_dir, Launcher(), REPO, REPO, force=args.force,
                         jobs=args.jobs, resume=False)
    repro.run(table.runs, on_done=finish, on_tick=tick)
    return [results[i] for i in sorted(results)]


def main() -> None:
    args = parse_args()
    design, held_out = plan_seeds(args)
    runs = select_runs(args.tasks, {t: design[t] + held_out[t] for t in args.tasks},
                       args.all_methods, args.methods, not args.no_distill)
    if not runs:
        raise SystemExit(f'nothing to run: no method matches {list(args.methods)}')
    start = time.time()
    data = make_toy_data(osp.join(REPO, DATA_ROOT), verbose=False)
    print(f'[demo] {len(runs)} runs, {args.jobs} at a time (one thread each), on '
          f'{osp.abspath(data["root"])}; logs under {args.work_dir}/')
    records = run_all(runs, args)
    protocol = dict(
        command='python tools/demo.py ' + ' '.join(sys.argv[1:]),
        teacher_seed=0,
        seeds=design,
        held_out_seeds=held_out,
        data=data['meta'],
        note='teachers trained once (seed 0) on their own longer schedule; every student of a '
        'task has the identical schedule, data and seed set; every run single-threaded')
    table = write_report(records, sorted({s for v in design.values() for s in v}),
                         args.work_dir, protocol,
                         sorted({s for v in held_out.values() for s in v}))
    print('\n' + table)
    print(f'\nTotal time: {(time.time() - start) / 60:.1f} min. Report (results.md, runs.csv, '
          f'results.json, one PNG per task) and per-run logs under {args.work_dir}/.')


if __name__ == '__main__':
    main()
