"""Summaries of benchmark runs: mean ± std over seeds, paired gains, significance, CSV/JSON/PNG.

The gain of a method is paired by seed: ``gain_s = D_s − S_s`` for the distilled student ``D``
and the plain student ``S`` of the same seed (same data order and initialisation). Its standard
error is ``std(gain_s) / sqrt(n)``; a mean gain within two standard errors of zero is reported
as not significant. The share of the teacher–student gap closed is ``(D̄ − S̄) / (T − S̄)``.
"""
import csv
import json
import math
import os
import os.path as osp
from typing import Dict, List, NamedTuple, Optional, Sequence

from .suite import STUDENT, TEACHER, Experiment, experiment_of, method_order


class RunRecord(NamedTuple):
    """One finished run, with its metric in points."""
    task: str
    label: str
    config: str
    seed: int
    value: float
    seconds_per_iter: float
    wall_seconds: float


class MethodSummary(NamedTuple):
    """One table row."""
    task: str
    label: str
    n: int
    mean: float
    std: float
    gain: Optional[float]
    gain_se: Optional[float]
    gap_closed: Optional[float]
    significant: Optional[bool]
    seconds_per_iter: float


def _mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs)


def _std(xs: Sequence[float]) -> float:
    """Sample standard deviation (n − 1); 0 for a single value."""
    if len(xs) < 2:
        return 0.0
    m = _mean(xs)
    return math.sqrt(sum((x - m)**2 for x in xs) / (len(xs) - 1))


def summarize(records: Sequence[RunRecord]) -> List[MethodSummary]:
    """Rows per task: teacher, plain student, then each distilled student."""
    rows: List[MethodSummary] = []
    for task in dict.fromkeys(r.task for r in records):
        exp = experiment_of(task)
        of_task = [r for r in records if r.task == task]
        by_label: Dict[str, Dict[int, RunRecord]] = {}
        for r in of_task:
            by_label.setdefault(r.label, {})[r.seed] = r
        student = by_label.get(STUDENT, {})
        teacher = by_label.get(TEACHER, {})
        t_mean = _mean([r.value for r in teacher.values()]) if teacher else None
        s_mean = _mean([r.value for r in student.values()]) if student else None
        order = method_order(exp)
        for label in sorted(by_label, key=lambda k: order.get(k, len(order))):
            runs = by_label[label]
            values = [r.value for r in runs.values()]
            speed = _mean([r.seconds_per_iter for r in runs.values()])
            gain = gain_se = closed = significant = None
            if label not in (STUDENT, TEACHER) and student:
                paired = [runs[s].value - student[s].value for s in runs if s in student]
                if paired:
                    gain = _mean(paired)
                    if len(paired) > 1:
                        gain_se = _std(paired) / math.sqrt(len(paired))
                        significant = abs(gain) > 2 * gain_se
                    if t_mean is not None and t_mean != s_mean:
                        closed = (_mean(values) - s_mean) / (t_mean - s_mean)
            rows.append(MethodSummary(task, label, len(values), _mean(values), _std(values), gain,
                                      gain_se, closed, significant, speed))
    return rows


def _verdict(row: MethodSummary) -> str:
    if row.gain is None:
        return ''
    if row.significant is None:
        return 'one seed: no test'
    if not row.significant:
        return 'not significant'
    return 'significant gain' if row.gain > 0 else 'significant LOSS'


def markdown_table(rows: Sequence[MethodSummary], seeds: Sequence[int]) -> str:
    """The results table in Markdown (also readable as plain text)."""
    lines = [
        f'| task | method | metric (mean ± std, seeds {", ".join(map(str, seeds))}) | '
        'gain vs student (± s.e.) | gap closed | verdict | s/iter |',
        '|---|---|---|---|---|---|---|'
    ]
    for row in rows:
        exp = experiment_of(row.task)
        value = f'{row.mean:.1f}' + (f' ± {row.std:.1f}' if row.n > 1 else '')
        if row.label == TEACHER:
            value += ' (trained once)'
        gain = '' if row.gain is None else f'{row.gain:+.1f}' + (
            f' ± {row.gain_se:.1f}' if row.gain_se is not None else '')
        closed = '' if row.gap_closed is None else f'{100 * row.gap_closed:+.0f}%'
        lines.append(f'| {exp.title} ({exp.metric_label}) | {row.label} | {value} | {gain} | '
                     f'{closed} | {_verdict(row)} | {row.seconds_per_iter:.3f} |')
    return '\n'.join(lines)


def _draw_task(ax, exp: Experiment, rows: Sequence[MethodSummary],
               records: Sequence[RunRecord]) -> None:
    """Bars (mean, ± std error bars) per row of one task on ``ax``, seeds as dots.

    Green: significant gain over the plain student; red: significant loss; blue: neither.
    """
    rows = [r for r in rows if r.task == exp.task]
    colours = ['#555555' if r.label == TEACHER else '#9e9e9e' if r.label == STUDENT else
               ('#2e7d32' if r.significant and r.gain > 0 else
                '#c62828' if r.significant else '#1f77b4') for r in rows]
    xs = list(range(len(rows)))
    ax.bar(xs, [r.mean for r in rows], yerr=[r.std for r in rows], color=colours, capsize=4,
           alpha=0.85)
    values = [rec.value for rec in records if rec.task == exp.task]
    for i, r in enumerate(rows):
        seeds = [rec.value for rec in records if rec.task == exp.task and rec.label == r.label]
        ax.scatter([i] * len(seeds), seeds, color='black', s=10, zorder=3)
    student = next((r.mean for r in rows if r.label == STUDENT), None)
    if student is not None:
        ax.axhline(student, color='#9e9e9e', linestyle='--', linewidth=1)
    low = min(min(r.mean - r.std for r in rows), min(values))
    high = max(max(r.mean + r.std for r in rows), max(values))
    pad = max(1.0, 0.15 * (high - low))
    ax.set_ylim(max(0.0, low - pad), high + pad)
    ax.set_xticks(xs)
    ax.set_xticklabels([r.label for r in rows], rotation=30, ha='right', fontsize='small')
    ax.set_ylabel(exp.metric_label)
    n = max((r.n for r in rows if r.label == STUDENT), default=1)
    ax.set_title(f'{exp.title}\nmean ± std over {n} seed(s)', fontsize='medium')


def plot_tasks(tasks: Sequence[str], rows: Sequence[MethodSummary],
               records: Sequence[RunRecord], path: str) -> None:
    """One PNG with a panel per task, two per row (see :func:`_draw_task`)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    cols = min(2, len(tasks))
    nrows = math.ceil(len(tasks) / cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(6.0 * cols, 4.2 * nrows), squeeze=False)
    for ax, task in zip(axes.flat, tasks):
        _draw_task(ax, experiment_of(task), rows, records)
    for ax in list(axes.flat)[len(tasks):]:
        ax.axis('off')
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_report(records: Sequence[RunRecord], seeds: Sequence[int], out_dir: str,
                 protocol: dict) -> str:
    """Write ``runs.csv``, ``results.json``, ``results.md``, ``<task>.png`` and ``summary.png``
    (all tasks side by side) to ``out_dir``.

    Returns:
        str: The Markdown table.
    """
    os.makedirs(out_dir, exist_ok=True)
    rows = summarize(records)
    table = markdown_table(rows, seeds)
    with open(osp.join(out_dir, 'runs.csv'), 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(RunRecord._fields)
        writer.writerows(records)
    with open(osp.join(out_dir, 'results.json'), 'w') as f:
        json.dump(dict(protocol=protocol, seeds=list(seeds),
                       runs=[r._asdict() for r in records],
                       summary=[r._asdict() for r in rows]), f, indent=2)
    with open(osp.join(out_dir, 'results.md'), 'w') as f:
        f.write(table + '\n')
    tasks = list(dict.fromkeys(r.task for r in records))
    for task in tasks:
        plot_tasks([task], rows, records, osp.join(out_dir, f'{task}.png'))
    plot_tasks(tasks, rows, records, osp.join(out_dir, 'summary.png'))
    return table
