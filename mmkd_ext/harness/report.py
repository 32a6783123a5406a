"""Summaries of benchmark runs: mean ± std over seeds, paired gains, significance, CSV/JSON/PNG.

The gain of a method is paired by seed: ``gain_s = D_s − S_s`` for the distilled student ``D``
and the plain student ``S`` of the same seed (same data order and initialisation). It is tested
with a two-sided paired t-test, ``n − 1`` degrees of freedom, at the level
:data:`~.stats.ALPHA` (:func:`~.stats.paired_t_test`). The share of the teacher–student gap closed
is ``(D̄ − S̄) / (T − S̄)``.

A benchmark has design seeds (the table's claim) and may have held-out seeds that played no part
in designing the protocol: each is summarised on its own, and the table shows whether the
held-out seeds give the same verdict.
"""
import csv
import json
import math
import os
import os.path as osp
from statistics import fmean, stdev
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence

from .stats import ALPHA, paired_t_test, stability
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
    p_value: Optional[float] = None
    #: Plain-student row only: whether its spread passes the stability rule (None: < 2 seeds).
    stable: Optional[bool] = None


def _std(xs: Sequence[float]) -> float:
    """Sample standard deviation (n − 1); 0 for a single value."""
    return stdev(xs) if len(xs) > 1 else 0.0


def summarize(records: Sequence[RunRecord],
              seeds: Optional[Iterable[int]] = None) -> List[MethodSummary]:
    """Rows per task: teacher, plain student, then each distilled student.

    Args:
        records (Sequence[RunRecord]): Finished runs.
        seeds (Iterable[int], optional): Summarise only the students of these seeds (the teacher,
            trained once, is always kept). Default: every seed.

    Returns:
        list[MethodSummary]
    """
    if seeds is not None:
        keep = set(seeds)
        records = [r for r in records if r.label == TEACHER or r.seed in keep]
    rows: List[MethodSummary] = []
    for task in dict.fromkeys(r.task for r in records):
        exp = experiment_of(task)
        of_task = [r for r in records if r.task == task]
        by_label: Dict[str, Dict[int, RunRecord]] = {}
        for r in of_task:
            by_label.setdefault(r.label, {})[r.seed] = r
        student = by_label.get(STUDENT, {})
        teacher = by_label.get(TEACHER, {})
        t_mean = fmean([r.value for r in teacher.values()]) if teacher else None
        s_mean = fmean([r.value for r in student.values()]) if student else None
        order = method_order(exp)
        for label in sorted(by_label, key=lambda k: order.get(k, len(order))):
            runs = by_label[label]
            values = [r.value for r in runs.values()]
            speed = fmean([r.seconds_per_iter for r in runs.values()])
            gain = gain_se = closed = significant = p_value = None
            if label not in (STUDENT, TEACHER) and student:
                paired = [runs[s].value - student[s].value for s in runs if s in student]
                if paired:
                    test = paired_t_test(paired)
                    gain = test.mean
                    if test.n > 1:
                        gain_se, p_value = test.se, test.p
                        significant = test.p < ALPHA
                    if t_mean is not None and t_mean != s_mean:
                        closed = (fmean(values) - s_mean) / (t_mean - s_mean)
            stable = None
            if label == STUDENT and len(values) > 1 and t_mean is not None:
                stable = stability(values, t_mean - s_mean).stable
            rows.append(MethodSummary(task, label, len(values), fmean(values), _std(values), gain,
                                      gain_se, closed, significant, speed, p_value, stable))
    return rows


def _verdict(row: Optional[MethodSummary]) -> str:
    if row is None or row.gain is None:
        return ''
    if row.significant is None:
        return 'one seed: no test'
    if not row.significant:
        return 'not significant'
    return 'significant gain' if row.gain > 0 else 'significant LOSS'


def _gain_text(row: Optional[MethodSummary]) -> str:
    """``+2.1 ± 0.1 (p 0.001)``, or '' for a row without a gain."""
    if row is None or row.gain is None:
        return ''
    text = f'{row.gain:+.1f}'
    if row.gain_se is not None:
        p = 'p < 0.001' if row.p_value < 0.001 else f'p {row.p_value:.3f}'
        text += f' ± {row.gain_se:.1f} ({p})'
    return text


def _seed_list(seeds: Sequence[int]) -> str:
    seeds = sorted(seeds)
    if len(seeds) > 2 and seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f'{seeds[0]}–{seeds[-1]}'
    return ', '.join(map(str, seeds))


def _gap_text(gap_closed: Optional[float]) -> str:
    """The share of the gap closed, in percent; a loss larger than the whole teacher–student gap
    reads "loss > gap" (a percentage below −100 % says nothing more and reads oddly)."""
    if gap_closed is None:
        return ''
    return 'loss > gap' if gap_closed < -1 else f'{100 * gap_closed:+.0f}%'


def markdown_table(rows: Sequence[MethodSummary], seeds: Sequence[int],
                   held_out: Optional[Sequence[MethodSummary]] = None,
                   held_out_seeds: Sequence[int] = ()) -> str:
    """The results table in Markdown (also readable as plain text).

    Args:
        rows (Sequence[MethodSummary]): Summary on the design ``seeds``.
        seeds (Sequence[int]): The design seeds (the table's claim).
        held_out (Sequence[MethodSummary], optional): Summary on ``held_out_seeds``; adds the
            held-out gain and verdict, and whether the verdict holds there.
        held_out_seeds (Sequence[int]): The held-out seeds, for the header.
    """
    header = (f'| task | method | metric (mean ± std; seeds {_seed_list(seeds)}, n per task) | '
              'gain vs student (± s.e., paired t-test) | gap closed | verdict |')
    rule = '|---|---|---|---|---|---|'
    other = {}
    if held_out is not None:
        other = {(r.task, r.label): r for r in held_out}
        header += (f' held-out seeds {_seed_list(held_out_seeds)}: gain (p) | verdict there | '
                   'holds |')
        rule += '---|---|---|'
    lines = [header + ' s/iter |', rule + '---|']
    for row in rows:
        exp = experiment_of(row.task)
        value = f'{row.mean:.1f}' + (f' ± {row.std:.1f}' if row.n > 1 else '')
        if row.label == TEACHER:
            value += ' (trained once)'
        elif row.label == STUDENT:
            value += f' (n = {row.n}' + ('' if row.stable is None else
                                         '; stable' if row.stable else '; UNSTABLE') + ')'
        closed = _gap_text(row.gap_closed)
        line = (f'| {exp.title} ({exp.metric_label}) | {row.label} | {value} | {_gain_text(row)} | '
                f'{closed} | {_verdict(row)} |')
        if held_out is not None:
            there = other.get((row.task, row.label))
            if row.label == STUDENT and there is not None:
                line += f' student {there.mean:.1f} ± {there.std:.1f} (n = {there.n}) | | |'
            elif row.gain is None:
                line += ' | | |'
            else:
                holds = 'yes' if _verdict(there) == _verdict(row) else 'NO'
                line += f' {_gain_text(there)} | {_verdict(there)} | {holds} |'
        lines.append(line + f' {row.seconds_per_iter:.3f} |')
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
                 protocol: dict, held_out_seeds: Sequence[int] = ()) -> str:
    """Write ``runs.csv``, ``results.json``, ``results.md``, ``<task>.png`` and ``summary.png``
    (all tasks side by side) to ``out_dir``.

    Args:
        records (Sequence[RunRecord]): Every finished run, design and held-out seeds.
        seeds (Sequence[int]): The design seeds: the table, figures and verdicts.
        out_dir (str): Output folder.
        protocol (dict): Written to ``results.json`` as it is.
        held_out_seeds (Sequence[int]): Seeds kept out of the design; when given, the table shows
            the verdict on them beside the design verdict.

    Returns:
        str: The Markdown table.
    """
    os.makedirs(out_dir, exist_ok=True)
    rows = summarize(records, seeds)
    held_out = summarize(records, held_out_seeds) if held_out_seeds else None
    table = markdown_table(rows, seeds, held_out, held_out_seeds)
    design = [r for r in records if r.label == TEACHER or r.seed in set(seeds)]
    with open(osp.join(out_dir, 'runs.csv'), 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(RunRecord._fields)
        writer.writerows(records)
    with open(osp.join(out_dir, 'results.json'), 'w') as f:
        json.dump(dict(protocol=protocol, seeds=list(seeds), held_out_seeds=list(held_out_seeds),
                       runs=[r._asdict() for r in records],
                       summary=[r._asdict() for r in rows],
                       held_out_summary=[r._asdict() for r in held_out or []]), f, indent=2)
    with open(osp.join(out_dir, 'results.md'), 'w') as f:
        f.write(table + '\n')
    tasks = list(dict.fromkeys(r.task for r in records))
    for task in tasks:
        plot_tasks([task], rows, design, osp.join(out_dir, f'{task}.png'))
    plot_tasks(tasks, rows, design, osp.join(out_dir, 'summary.png'))
    return table
