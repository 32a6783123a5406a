"""Reproduce a table: run every config of it, collect ours beside the paper's number.

    python tools/reproduce.py TABLE [--launcher none|pytorch|slurm] [--gpus N] [--partition P]
                              [--work-dir DIR] [--dry-run] [--only PATTERN] [--force]
                              [--jobs N] [--cfg-options k=v ...]
    python tools/reproduce.py --list

Tables (``--list``): ``<method>-<data set>`` from the metafiles of model-index.yml (e.g.
``diffkd-coco``, ``nd-cifar100``, ``pefd-in1k``) and ``toy``, the toy benchmark's short demo.
Runs go through tools/train.py (``none``), tools/dist_train.sh (``pytorch``) or
tools/slurm_train.sh (``slurm``), each in ``<work_dir>/<TABLE>/<config name>/``. Finished runs
are skipped, interrupted ones resume from their last checkpoint; ``--force`` retrains. The table
(config, paper, ours, Δ, status, log) is written to ``<work_dir>/<TABLE>.md`` and ``.csv``. Run
it from the repository root (the configs' data paths are relative to it).
"""
import argparse
import os
import os.path as osp
import signal
import sys

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)  # the mmkd_ext of this checkout, also when it is not installed

from mmengine.config import DictAction  # noqa: E402

from mmkd_ext.harness.reproduce import Reproduction, select, write_table  # noqa: E402
from mmkd_ext.harness.runs import Launcher  # noqa: E402
from mmkd_ext.harness.tables import TOY_TABLE, all_tables  # noqa: E402


def parse_args(tables) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Run every config of a table and collect it')
    parser.add_argument('table', nargs='?', choices=sorted(tables), metavar='TABLE',
                        help='one of: ' + ', '.join(sorted(tables)))
    parser.add_argument('--list', action='store_true', help='list the tables and their runs')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'], default='none')
    parser.add_argument('--gpus', type=int, default=8,
                        help='GPUs per run with --launcher pytorch|slurm (default 8)')
    parser.add_argument('--partition', default='',
                        help='slurm partition (needed with --launcher slurm)')
    parser.add_argument('--work-dir', default='work_dirs/reproduce',
                        help='runs and the written table (default work_dirs/reproduce)')
    parser.add_argument('--dry-run', action='store_true',
                        help='print every command and a GPU-hour estimate; run nothing')
    parser.add_argument('--only', metavar='PATTERN',
                        help='comma-separated globs of run names (their teachers come along)')
    parser.add_argument('--force', action='store_true',
                        help='retrain finished runs and restart interrupted ones from scratch')
    parser.add_argument('--jobs', type=int, default=None,
                        help='runs at a time (default: all with slurm, the CPU count up to 4 '
                        'for the toy table, else 1)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='override settings of every run, e.g. a shorter schedule')
    args = parser.parse_args()
    if not args.list and not args.table:
        parser.error('name a TABLE (or --list)')
    if args.launcher == 'slurm' and not args.partition and not args.dry_run:
        parser.error('--launcher slurm needs --partition')
    return args


def default_jobs(args: argparse.Namespace, runs: int) -> int:
    if args.jobs:
        return args.jobs
    if args.launcher == 'slurm':
        return max(runs, 1)  # the queue decides; each srun waits for its job
    if args.table == TOY_TABLE and args.launcher == 'none':
        return min(os.cpu_count() or 1, 4)
    return 1


def main() -> None:
    tables = all_tables(REPO)
    args = parse_args(tables)
    if args.list:
        for name in sorted(tables):
            print(f'{name}: {tables[name].title}')
            for run in tables[name].runs:
                print(f'    {run.name}')
        return
    import mmkd_ext  # noqa: F401  (registers the custom imports the configs name)
    table = tables[args.table]
    runs = select(table, args.only)
    # As given, not made absolute: a path in a run's options (e.g. its class means) is part of
    # its fingerprint, and tools/demo.py names the same runs by the same relative path.
    work_root = args.work_dir
    if table.data and not osp.isfile(osp.join(table.data, 'meta.json')) and not args.dry_run:
        from mmkd_ext.datasets import make_toy_data
        make_toy_data(table.data, verbose=False)
    options = {k: ','.join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)
               for k, v in args.cfg_options.items()}
    launcher = Launcher(args.launcher, args.gpus if args.launcher != 'none' else 1,
                        args.partition or 'PARTITION')
    repro = Reproduction(table, work_root, launcher, REPO, os.getcwd(), options, args.force,
                         default_jobs(args, len(runs)))
    if args.dry_run:
        print(repro.dry_run(runs))
        return
    # A SIGTERM (e.g. from a scheduler or `kill`) stops the children too, as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print(f'[reproduce] {table.name}: {len(runs)} runs, launcher {args.launcher}, logs under '
          f'{osp.join(work_root, table.name)}/', flush=True)
    rows = repro.collect(repro.run(runs, echo=lambda line: print(line, flush=True)))
    header = (f'Made by `python tools/reproduce.py {" ".join(sys.argv[1:])}`; "ours" is the '
              'final validation metric logged by each run (its `result.json`).')
    text = write_table(table, rows, work_root, header)
    print('\n' + text)
    print(f'Written: {osp.join(work_root, table.name)}.md and .csv')
    if any(row.status.startswith(('failed', 'blocked')) for row in rows):
        sys.exit(1)


if __name__ == '__main__':
    main()
