"""Run every config of a table, skip finished runs, resume interrupted ones, collect each run's
final metric from its own logs and write the table beside the paper's numbers.

Each run has its own work dir ``<work_root>/<table>/<run name>/`` holding the launcher's log
(``train.log``), MMEngine's files and, once finished, ``result.json`` (:mod:`.runs`). The
table is written to ``<work_root>/<table>.md`` and ``.csv``.
"""
import copy
import csv
import fnmatch
import os
import os.path as osp
import time
from functools import cached_property
from typing import Dict, List, NamedTuple, Optional, Sequence

from mmkd_ext.utils.digest import file_digest
from .runs import (Launcher, RunResult, RunSpec, TrainingRun, cached_result, config_digest,
                   log_tail, measured_seconds_per_iter, resumable)
from .speed_reference import load_measurements, reference_speed
from .tables import Table, TableRun, total_iterations


class RowResult(NamedTuple):
    """A row of the written table.

    ``status``: ``done`` (trained now), ``reused`` (finished before), ``failed``, ``blocked``
    (its teacher run failed or is missing) or ``not run`` (left out by ``--only``).
    ``value`` is in the paper's unit; ``tail`` holds the last log lines of a failed run.
    """
    run: TableRun
    status: str
    value: Optional[float]
    log: str
    tail: str = ''
    result: Optional[RunResult] = None


def select(table: Table, only: Optional[str]) -> List[TableRun]:
    """The runs of ``table`` whose name matches one of the comma-separated globs of ``only``
    (all when None), with the teacher runs they need.

    Raises:
        ValueError: Nothing matches.
    """
    if not only:
        return list(table.runs)
    patterns = [p.strip() for p in only.split(',') if p.strip()]
    chosen = {r.name for r in table.runs if any(fnmatch.fnmatch(r.name, p) for p in patterns)}
    if not chosen:
        raise ValueError(f'--only {only!r} matches no run of {table.name}: '
                         f'{", ".join(r.name for r in table.runs)}')
    chosen |= {r.teacher_run for r in table.runs if r.name in chosen and r.teacher_run}
    return [r for r in table.runs if r.name in chosen]


class Reproduction:
    """One table on one launcher.

    Args:
        table (Table): The table.
        work_root (str): Where the runs' work dirs and the written table go.
        launcher (Launcher): How each run is launched.
        repo_root (str): Repository root (``tools/`` and the configs).
        cwd (str): Where the children run (relative data paths of the configs resolve there).
        cfg_options (dict): ``--cfg-options`` added to every run (part of its fingerprint).
        force (bool): Retrain finished runs and ignore interrupted ones.
        jobs (int): Runs at a time.
        resume (bool): Resume interrupted runs from their last checkpoint; False starts them
            again (``tools/demo.py``: its numbers come from uninterrupted runs).
    """

    def __init__(self, table: Table, work_root: str, launcher: Launcher, repo_root: str,
                 cwd: str, cfg_options: Optional[Dict[str, str]] = None, force: bool = False,
                 jobs: int = 1, resume: bool = True) -> None:
        self.table, self.work_root, self.launcher = table, work_root, launcher
        self.resume = resume and not force
        self.repo_root, self.cwd, self.force, self.jobs = repo_root, cwd, force, jobs
        self.cfg_options = dict(cfg_options or {})
        self.by_name = {r.name: r for r in table.runs}
        self.teachers = {r.teacher_run for r in table.runs if r.teacher_run}
        self.checkpoints: Dict[str, str] = {}  # finished teacher runs -> their checkpoint
        self._configs: Dict[str, object] = {}
        data_meta = osp.join(cwd, table.data, 'meta.json') if table.data else None
        self.data_digest = file_digest(data_meta) if data_meta and osp.isfile(data_meta) else None

    def work_dir(self, run: TableRun) -> str:
        return osp.join(self.work_root, run.path or osp.join(self.table.name, run.name))

    def config_path(self, run: TableRun) -> str:
        return osp.join(self.repo_root, run.config)

    def config(self, run: TableRun):
        """The run's config as loaded from its file (once)."""
        if run.name not in self._configs:
            from mmengine.config import Config
            self._configs[run.name] = Config.fromfile(self.config_path(run))
        return self._configs[run.name]

    def spec(self, run: TableRun) -> Optional[RunSpec]:
        """The run's spec; None while its teacher run has no checkpoint."""
        work_dir = self.work_dir(run)
        options = {key: value.format(work_dir=work_dir) for key, value in run.options}
        options.update(self.cfg_options)
        fingerprint = {}
        if self.data_digest:
            fingerprint['data'] = self.data_digest
        if run.teacher_run:
            teacher = self.checkpoints.get(run.teacher_run)
            if teacher is None:
                return None
            options['model.teacher.checkpoint'] = teacher
            fingerprint['teacher'] = file_digest(teacher)
        fingerprint['config'] = config_digest(self.config(run), options)
        return RunSpec(self.config_path(run), work_dir, run.seed, options, fingerprint)

    def training(self, run: TableRun, spec: RunSpec) -> TrainingRun:
        return TrainingRun(spec, run.metric, self.repo_root, self.launcher,
                           job_name=f'{self.table.name}-{run.name}',
                           single_thread=self.table.single_thread, cwd=self.cwd)

    def _row(self, run: TableRun, status: str, result: Optional[RunResult] = None,
             tail: str = '') -> RowResult:
        if result is not None and run.name in self.teachers and result.checkpoint:
            self.checkpoints[run.name] = result.checkpoint
        value = None if result is None else result.metric * run.scale
        return RowResult(run, status, value, osp.join(self.work_dir(run), 'train.log'), tail,
                         result)

    def finished(self, run: TableRun) -> Optional[RunResult]:
        """The stored result of this exact run, unless ``force``."""
        spec = self.spec(run)
        if spec is None or self.force:
            return None
        return cached_result(spec, run.metric)

    # -- dry run ---------------------------------------------------------------------------

    @cached_property
    def speed_measurements(self) -> dict:
        """The shipped CPU timings of the speed reference, read once for all runs."""
        return load_measurements()

    def estimate(self, run: TableRun) -> tuple:
        """``(iterations, seconds per iteration, source of that speed)`` of a run. The speed is
        the mean logged time per iteration of this run's own (finished or interrupted) start in
        the work dir, on the launcher's own hardware; else the stated reference
        (:mod:`.speed_reference`), measured for the shipped config and so not used with
        ``cfg_options``; else None."""
        cfg = copy.deepcopy(self.config(run))
        cfg.merge_from_dict(self.cfg_options)
        gpus = self.launcher.gpus if self.launcher.kind != 'none' else 1
        iters = total_iterations(cfg, gpus)
        speed = measured_seconds_per_iter(self.work_dir(run))
        if speed:
            return iters, speed, f'measured in {self.work_dir(run)}'
        reference = None if self.cfg_options else reference_speed(run.name,
                                                                    self.speed_measurements)
        if reference is not None:
            return iters, reference.seconds, reference.source
        return iters, None, None

    def dry_run(self, runs: Sequence[TableRun]) -> str:
        """Every command that :meth:`run` would launch, with a GPU-hour estimate per run and in
        total (iterations × seconds per iteration × GPUs, or "unknown")."""
        gpus = self.launcher.gpus if self.launcher.kind != 'none' else 1
        lines = [f'{self.table.name}: {self.table.title} — {len(runs)} runs, launcher '
                 f'{self.launcher.kind}, {gpus} GPU(s) per run, work dirs under '
                 f'{osp.join(self.work_root, self.table.name)}/']
        total, unknown = 0.0, 0
        for index, run in enumerate(runs):
            spec = self.spec(run)
            done = None if spec is None or self.force else cached_result(spec, run.metric)
            if done is not None:
                self._row(run, 'reused', done)
                lines.append(f'[{index + 1:>2}/{len(runs)}] {run.name}: finished, skipped '
                             f'({run.unit} {done.metric * run.scale:.2f})')
                continue
            if spec is None:  # the teacher has not run yet: show where its checkpoint goes
                spec = RunSpec(self.config_path(run), self.work_dir(run), run.seed,
                               dict({k: v.format(work_dir=self.work_dir(run))
                                     for k, v in run.options}, **self.cfg_options,
                                    **{'model.teacher.checkpoint':
                                       f'<checkpoint of {run.teacher_run}>'}), {})
            resume = self.resume and resumable(spec)
            cmd, env = self.training(run, spec).command(resume)
            iters, speed, source = self.estimate(run)
            if iters is not None and speed is not None:
                hours = iters * speed * gpus / 3600
                total += hours
                cost = (f'{iters:,} iterations × {speed:.3f} s/iter × {gpus} GPU(s) '
                        f'= {hours:.1f} GPU-h\n      s/iter: {source}')
            else:
                unknown += 1
                cost = (f'{iters:,} iterations' if iters is not None else 'iterations unknown'
                        ) + ' × unknown s/iter = unknown GPU-h'
            prefix = ' '.join(f'{k}={v}' for k, v in env.items())
            lines += [f'[{index + 1:>2}/{len(runs)}] {run.name}: '
                      f'{"resume from its last checkpoint" if resume else "to run"}',
                      '    ' + (prefix + ' ' if prefix else '') + ' '.join(cmd),
                      f'    {cost}']
        known = len(runs) - unknown
        why = (' (no reference: their students have no anchor in '
               'mmkd_ext/harness/speed_reference.py or tools/misc/speed_reference.py has '
               'not timed them, and no start of theirs has logged its speed yet)')
        if not known:
            lines.append(f'Total: unknown for all {unknown} run(s){why}')
        else:
            lines.append(f'Total: {total:.1f} GPU-h for the {known} run(s) with a reference'
                         + (f'; {unknown} run(s) unknown{why}' if unknown else ''))
        return '\n'.join(lines)

    # -- run -------------------------------------------------------------------------------

    def run(self, runs: Sequence[TableRun], echo=print, on_done=None,
            on_tick=None) -> List[RowResult]:
        """Run (or reuse) ``runs``, ``jobs`` at a time, teachers before their students.

        Args:
            runs (Sequence[TableRun]): Selected runs (:func:`select`), in table order.
            echo (callable): Prints one line per finished run (unless ``on_done``).
            on_done (callable, optional): Called with each :class:`RowResult` as it is known,
                instead of ``echo``.
            on_tick (callable, optional): Called about twice a second with the active runs
                (``{name: TrainingRun}``) and the pending ones (``[TableRun]``).

        Returns:
            list[RowResult]: One per run, in the order given.
        """
        rows: Dict[str, RowResult] = {}
        pending = list(runs)
        active: Dict[str, TrainingRun] = {}

        def report(row: RowResult) -> None:
            rows[row.run.name] = row
            if on_done is not None:
                on_done(row)
                return
            value = '' if row.value is None else f'{row.run.unit} {row.value:.2f}'
            echo(f'[{len(rows):>2}/{len(runs)}] {row.run.name}: {row.status} {value}'.rstrip())

        try:
            while pending or active:
                for run in list(pending):
                    if len(active) >= self.jobs:
                        break
                    teacher = run.teacher_run
                    if teacher and teacher in rows and teacher not in self.checkpoints:
                        pending.remove(run)
                        report(self._row(run, 'blocked', tail=f'teacher {teacher}: '
                                         f'{rows[teacher].status}, no checkpoint'))
                        continue
                    if teacher and teacher not in self.checkpoints:
                        continue  # its teacher is still training
                    pending.remove(run)
                    spec = self.spec(run)
                    done = None if self.force else cached_result(spec, run.metric)
                    if done is not None:
                        report(self._row(run, 'reused', done))
                        continue
                    training = self.training(run, spec)
                    training.start(resume=self.resume)
                    active[run.name] = training
                for name, training in list(active.items()):
                    try:
                        result = training.poll()
                    except RuntimeError:
                        del active[name]
                        report(self._row(self.by_name[name],
                                         f'failed (exit {training.returncode})',
                                         tail=log_tail(training.log_path)))
                        continue
                    if result is not None:
                        del active[name]
                        report(self._row(self.by_name[name],
                                         'done (resumed)' if training.resumed else 'done',
                                         result))
                if on_tick is not None:
                    on_tick(active, pending)
                if pending or active:
                    time.sleep(0.5)
        finally:
            for training in active.values():
                training.kill()
        return [rows[r.name] for r in runs]

    def collect(self, rows: Sequence[RowResult]) -> List[RowResult]:
        """Rows for every run of the table: those of ``rows`` and, for the others, their
        stored result when it exists (``not run`` otherwise)."""
        have = {r.run.name: r for r in rows}
        out = []
        for run in self.table.runs:
            if run.name not in have:
                done = self.finished(run)
                have[run.name] = self._row(run, 'reused' if done else 'not run', done)
            out.append(have[run.name])
        return out


def _number(value: Optional[float], unit: str) -> str:
    if value is None:
        return '—'
    return f'{value:.1f}' if unit == 'box AP' else f'{value:.2f}'


def write_table(table: Table, rows: Sequence[RowResult], work_root: str,
                header: str = '') -> str:
    """Write ``<work_root>/<table>.md`` and ``.csv``: config, paper, ours, Δ, status, log;
    failed runs also with the last lines of their log (Markdown).

    Args:
        table (Table): The table.
        rows (Sequence[RowResult]): One per run (:meth:`Reproduction.collect`).
        work_root (str): Output folder.
        header (str): A line under the title (how the table was made).

    Returns:
        str: The Markdown text.
    """
    os.makedirs(work_root, exist_ok=True)
    records = []
    for row in rows:
        run = row.run
        delta = (row.value - run.paper if row.value is not None and run.paper is not None
                 else None)
        log = osp.relpath(row.log, work_root) if osp.isfile(row.log) else ''
        records.append(dict(config=run.config, paper=_number(run.paper, run.unit),
                            ours=_number(row.value, run.unit),
                            delta='—' if delta is None else f'{delta:+.2f}', status=row.status,
                            log=log, unit=run.unit))
    lines = [f'# {table.name}: {table.title}', '']
    if header:
        lines += [header, '']
    lines += ['| config | paper | ours | Δ | status | log |', '|---|---|---|---|---|---|']
    for r in records:
        link = f'[train.log]({r["log"]})' if r['log'] else '—'
        lines.append(f'| {r["config"]} | {r["paper"]} | {r["ours"]} | {r["delta"]} | '
                     f'{r["status"]} | {link} |')
    failed = [row for row in rows if row.status.startswith(('failed', 'blocked'))]
    if failed:
        lines += ['', '## Failed runs', '']
        for row in failed:
            lines += [f'### {row.run.name}: {row.status}', '', '```text',
                      row.tail.rstrip() or '(no log)', '```', '']
    text = '\n'.join(lines).rstrip() + '\n'
    with open(osp.join(work_root, f'{table.name}.md'), 'w') as f:
        f.write(text)
    with open(osp.join(work_root, f'{table.name}.csv'), 'w', newline='') as f:
        writer = csv.DictWriter(f, ['config', 'paper', 'ours', 'delta', 'status', 'log', 'unit'])
        writer.writeheader()
        writer.writerows(records)
    return text
