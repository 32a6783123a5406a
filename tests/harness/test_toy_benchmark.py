"""The toy benchmark (tools/demo.py): its run plan, its statistics, its report and its configs."""
import csv
import json
import math
import os.path as osp

import pytest
from helpers.config_smoke import every_config
from helpers.runs import TOY_CONFIGS

from mmkd_ext.harness import EXPERIMENTS, select_runs, summarize, write_report
from mmkd_ext.harness.report import RunRecord, markdown_table

METHOD_CONFIGS = sorted({m.config for e in EXPERIMENTS for m in e.methods})


def test_every_config_of_the_suite_exists_and_students_share_a_schedule():
    from mmengine.config import Config
    for exp in EXPERIMENTS:
        student = Config.fromfile(osp.join(TOY_CONFIGS, exp.student))
        teacher = Config.fromfile(osp.join(TOY_CONFIGS, exp.teacher))
        # A teacher trains at least as long as its students (it is distilled from converged).
        assert teacher.train_cfg.max_iters >= student.train_cfg.max_iters
        for method in exp.methods:
            cfg = Config.fromfile(osp.join(TOY_CONFIGS, method.config))
            # Every student of a task: identical schedule, optimiser, data and augmentation.
            for key in ('train_cfg', 'param_scheduler', 'optim_wrapper', 'train_dataloader'):
                assert cfg[key] == student[key], (method.config, key)
            assert cfg.model.student == student.model, method.config
            assert osp.basename(cfg.model.teacher.config) == exp.teacher, method.config


def test_the_benchmark_covers_every_method_the_mission_names():
    labels = {e.task: ' '.join(m.label for m in e.methods) for e in EXPERIMENTS}
    for task, names in dict(det=('MSE', 'DiffKD', 'DiffKD†', 'PEFD', 'ND'),
                            retina=('MSE', 'DiffKD', 'DiffKD†', 'PEFD'),
                            seg=('KD', 'CWD', 'DiffKD'),
                            cls=('KD', 'DiffKD', 'PEFD', 'KD++', 'DKD++')).items():
        for name in names:
            assert name in labels[task], (task, name)


def test_every_config_of_the_suite_trains_in_the_smoke_test():
    """tests/configs/test_every_config.py trains each of them for a step (or two, validated)."""
    names = {c for exp in EXPERIMENTS for c in (exp.teacher, exp.student)} | set(METHOD_CONFIGS)
    configs = {osp.join(TOY_CONFIGS, name) for name in names}
    assert configs <= set(every_config())


def test_select_runs_teachers_first_then_every_seed():
    runs = select_runs(['cls'], [3, 5], all_methods=False)
    assert runs[0].role == 'teacher' and runs[0].seed == 0
    students = [r for r in runs if r.role == 'student']
    assert [r.seed for r in students] == [3, 5]
    demo = [m.label for m in EXPERIMENTS[-1].methods if m.in_demo]
    assert [r.label for r in runs if r.role == 'distilled' and r.seed == 3] == demo
    everything = select_runs(['cls'], [0], all_methods=True)
    assert len(everything) == 2 + len(EXPERIMENTS[-1].methods)
    only = select_runs(['cls', 'seg'], [0], all_methods=True, methods=['diffkd'])
    assert {r.label for r in only if r.role == 'distilled'} == {'DiffKD'}
    assert all(r.role != 'distilled' for r in select_runs(['seg'], [0, 1], True, distill=False))
    per_task = select_runs(['seg', 'cls'], dict(seg=[0, 1], cls=[7]), all_methods=False)
    assert [r.seed for r in per_task if r.role == 'student'] == [0, 1, 7]
    with pytest.raises(ValueError, match='at least one seed'):
        select_runs(['seg', 'cls'], dict(seg=[0]), all_methods=False)
    with pytest.raises(ValueError, match='unknown task'):
        select_runs(['nope'], [0], True)
    with pytest.raises(ValueError, match='at least one seed'):
        select_runs(['cls'], [], True)


def _records():
    # seeds 0..2: student 80/82/84, KD +2 on every seed, DiffKD +-3 around 0, teacher 90.
    out = [RunRecord('cls', 'teacher', 't.py', 0, 90.0, 0.2, 10.0)]
    for seed, s in enumerate((80.0, 82.0, 84.0)):
        out.append(RunRecord('cls', 'student', 's.py', seed, s, 0.1, 5.0))
        out.append(RunRecord('cls', 'KD', 'kd.py', seed, s + 2.0 + 0.1 * seed, 0.12, 6.0))
        out.append(RunRecord('cls', 'DiffKD', 'd.py', seed, s + (3.0, -3.0, 0.3)[seed], 0.2, 9.0))
    return out


def test_summary_pairs_gains_by_seed_and_tests_them():
    rows = {r.label: r for r in summarize(_records())}
    assert [r for r in rows] == ['teacher', 'student', 'KD', 'DiffKD']
    assert rows['student'].mean == pytest.approx(82.0) and rows['student'].std == pytest.approx(2.0)
    kd = rows['KD']
    # Paired gains 2.0, 2.1, 2.2: mean 2.1, s.e. 0.1/sqrt(3).
    assert kd.gain == pytest.approx(2.1) and kd.gain_se == pytest.approx(0.1 / math.sqrt(3))
    assert kd.significant
    assert kd.gap_closed == pytest.approx(2.1 / 8.0)
    diffkd = rows['DiffKD']
    assert diffkd.gain == pytest.approx(0.1) and not diffkd.significant
    single = {r.label: r for r in summarize([r for r in _records() if r.seed == 0 or
                                             r.label == 'teacher'])}
    assert single['KD'].gain == pytest.approx(2.0) and single['KD'].significant is None
    table = markdown_table(summarize(_records()), [0, 1, 2])
    assert 'significant gain' in table and 'not significant' in table
    assert '+26%' in table  # KD closes 2.1 of the 8-point gap
    ruin = _records() + [RunRecord('cls', 'DKD', 'k.py', seed, 60.0, 0.1, 5.0) for seed in range(3)]
    assert '| loss > gap |' in markdown_table(summarize(ruin), [0, 1, 2])  # -22 of an 8-point gap


def test_held_out_seeds_are_summarised_apart_and_compared():
    records = _records()
    for seed, s in ((10, 81.0), (11, 83.0), (12, 85.0)):  # KD gains again, DiffKD now loses
        records.append(RunRecord('cls', 'student', 's.py', seed, s, 0.1, 5.0))
        records.append(RunRecord('cls', 'KD', 'kd.py', seed, s + 1.9 + 0.1 * (seed - 10), 0.1, 6.0))
        records.append(RunRecord('cls', 'DiffKD', 'd.py', seed, s - 3.0 - 0.1 * seed, 0.2, 9.0))
    design = {r.label: r for r in summarize(records, [0, 1, 2])}
    assert design['KD'].gain == pytest.approx(2.1) and design['student'].n == 3
    held = {r.label: r for r in summarize(records, [10, 11, 12])}
    assert held['KD'].gain == pytest.approx(2.0) and held['KD'].significant
    assert held['DiffKD'].significant and held['DiffKD'].gain < 0
    table = markdown_table(list(design.values()), [0, 1, 2], list(held.values()), [10, 11, 12])
    assert 'seeds 0–2,' in table and '(n = 3)' in table and 'held-out seeds 10–12' in table
    kd_line = next(line for line in table.splitlines() if '| KD |' in line)
    assert kd_line.count('significant gain') == 2 and '| yes |' in kd_line
    diffkd_line = next(line for line in table.splitlines() if '| DiffKD |' in line)
    assert 'significant LOSS' in diffkd_line and '| NO |' in diffkd_line


def test_report_files(tmp_path):
    table = write_report(_records(), [0, 1, 2], str(tmp_path), dict(command='x'))
    assert (tmp_path / 'results.md').read_text().strip() == table
    with open(tmp_path / 'runs.csv') as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(_records()) and rows[0]['task'] == 'cls'
    data = json.loads((tmp_path / 'results.json').read_text())
    assert data['protocol'] == dict(command='x') and len(data['summary']) == 4
    for name in ('cls.png', 'summary.png'):
        assert (tmp_path / name).read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


def test_benchmark_seeds_cover_every_task_and_held_out_seeds_are_new():
    from mmkd_ext.harness.suite import BENCHMARK_SEEDS, HELD_OUT_SEEDS
    tasks = {e.task for e in EXPERIMENTS}
    assert set(BENCHMARK_SEEDS) == tasks == set(HELD_OUT_SEEDS)
    for task in tasks:
        assert len(HELD_OUT_SEEDS[task]) == len(BENCHMARK_SEEDS[task]) >= 4
        # Seeds 0-2 made the earlier table and 0-7 designed this protocol: none is held out.
        assert not set(HELD_OUT_SEEDS[task]) & set(range(100))
