"""Measure the CPU work ratios behind ``tools/reproduce.py --dry-run``'s GPU-hour estimate.

    python tools/misc/speed_reference.py [TABLE ...] [--size 400 608] [--iters 2] [--out FILE]

Times every distilled run of the tables with ``tools/benchmark.py --steps-only`` (the plain
student step and the distilled step; random teacher, synthetic batch of the config's per-GPU
size, one CPU thread, process CPU time, so other work on the machine does not change it;
learning rate 0, so that every timed step sees the first step's weights: after one update, a
random RepPoints student on a synthetic batch crashes mmcv's CPU DeformConv backward, and the
work of a step does not depend on the weights' values) and merges the timings into ``FILE``
(default ``mmkd_ext/harness/speed_reference.json``); runs it already holds are skipped unless
``--force``. The run that times each anchor's model (``mmkd_ext.harness.speed_reference.ANCHORS``)
is measured too when it is not there yet. A run that cannot be timed is reported and the others
go on. The default tables are those with an anchor for their students. See docs/reproduce.md.
"""
import argparse
import json
import os
import os.path as osp
import platform
import subprocess
import sys
import tempfile
from typing import Dict

from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)

from mmkd_ext.harness import TableRun, all_tables  # noqa: E402
from mmkd_ext.harness.speed_reference import (  # noqa: E402
    ANCHOR_OF_STUDENT_TYPE, ANCHORS, REFERENCE_FILE, load_measurements)
from mmkd_ext.utils.errors import UserError, run_tool_main  # noqa: E402

DEFAULT_TABLES = ('diffkd-coco', 'nd-coco', 'pefd-coco')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('tables', nargs='*', default=list(DEFAULT_TABLES),
                        help=f'default: {" ".join(DEFAULT_TABLES)}')
    parser.add_argument('--size', type=int, nargs=2, default=[400, 608], metavar=('H', 'W'),
                        help='input size (default: a quarter of the pixels of 800x1216, the '
                        'COCO configs\' padded size, same aspect)')
    parser.add_argument('--iters', type=int, default=2, help='timed iterations (median)')
    parser.add_argument('--only', nargs='*', default=(), help='only these run names')
    parser.add_argument('--force', action='store_true',
                        help='time again the runs that FILE already holds (default: skip them)')
    parser.add_argument('--out', default=REFERENCE_FILE)
    return parser.parse_args()


def cpu_model() -> str:
    """The CPU's model name, for the record."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def time_run(run: TableRun, size, iters: int, cpu: str) -> dict:
    """``tools/benchmark.py`` on the run's config in a child process; its JSON record, with
    the ``cpu`` it ran on."""
    cfg = Config.fromfile(osp.join(REPO, run.config))
    batch = cfg.train_dataloader.batch_size
    with tempfile.TemporaryDirectory() as tmp:
        out = osp.join(tmp, 'timing.json')
        cmd = [sys.executable, osp.join(REPO, 'tools', 'benchmark.py'), osp.join(REPO, run.config),
               '--random-teacher', '--steps-only', '--threads', '1', '--clock', 'cpu',
               '--iters', str(iters),
               '--warmup', '1', '--batch-size', str(batch), '--size', *map(str, size),
               '--json', out, '--cfg-options', 'optim_wrapper.optimizer.lr=0']
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              env=dict(os.environ, OMP_NUM_THREADS='1'))
        if proc.returncode:
            errors = [line for line in proc.stderr.splitlines() if 'rror' in line]
            why = errors[-1].strip() if errors else (
                f'killed by signal {-proc.returncode}' if proc.returncode < 0 else
                f'exit status {proc.returncode}')
            raise RuntimeError(f'tools/benchmark.py failed on {run.config}: {why}')
        with open(out) as f:
            record = json.load(f)
    record['config'] = run.config
    record['cpu'] = cpu
    return record


def main() -> None:
    args = parse_args()
    tables = all_tables(REPO)
    unknown = [t for t in args.tables if t not in tables]
    if unknown:
        raise UserError(f'unknown table(s) {unknown}; the tables are: {", ".join(tables)}')
    runs: Dict[str, TableRun] = {r.name: r for t in tables.values() for r in t.runs}
    wanted = [r for t in args.tables for r in tables[t].runs
              if r.role == 'distilled' and (not args.only or r.name in args.only)]
    measurements = load_measurements(args.out)
    # Every ratio divides by its anchor's plain step: time that run first when it is missing.
    anchors = [runs[a.measured_by] for a in ANCHORS.values()
               if a.measured_by not in measurements['runs']]
    todo = anchors + [r for r in wanted if r not in anchors
                      and (args.force or r.name not in measurements['runs'])]
    failed = []
    cpu = cpu_model()
    for run in todo:
        try:
            record = time_run(run, args.size, args.iters, cpu)
        except RuntimeError as err:  # the other runs are still worth timing
            print(err, flush=True)
            failed.append(run.name)
            continue
        anchor = ANCHOR_OF_STUDENT_TYPE.get(record['student_type'])
        print(f'{run.name}: distilled step {record["seconds"]["distilled_step"]:.2f} s, student '
              f'step {record["seconds"]["student_step"]:.2f} s (CPU), anchor {anchor}', flush=True)
        record['command'] = ' '.join(['python tools/misc/speed_reference.py'] + sys.argv[1:])
        measurements['runs'][run.name] = record
        with open(args.out, 'w') as f:  # after every run: an interruption keeps what was timed
            json.dump(measurements, f, indent=1, sort_keys=True)
    print(f'written: {args.out}')
    if failed:
        raise UserError(f'{len(failed)} run(s) could not be timed: {", ".join(failed)} (see '
                        'above); run again with --only and the names to retry them')


if __name__ == '__main__':
    run_tool_main(main)
