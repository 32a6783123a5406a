"""The dry run's stated speed reference: anchor × CPU work ratio, what it refuses, the shipped
measurements, and tools/misc/speed_reference.py on a toy run."""
import json
import os.path as osp
import subprocess
import sys

import pytest
from helpers.runs import REPO_ROOT

from mmkd_ext.harness.speed_reference import (ANCHOR_OF_STUDENT_TYPE, ANCHORS, load_measurements,
                                              reference_speed)
from mmkd_ext.harness.reproduce import Reproduction, select
from mmkd_ext.harness.runs import Launcher
from mmkd_ext.harness.tables import paper_tables

FASTER = ANCHORS['faster-rcnn_r50_fpn']


def record(student_type: str, distilled: float, student: float, batch: int = 2,
           size=(400, 608)) -> dict:
    return dict(student_type=student_type, batch_size=batch, size=list(size),
                input_size=[-(-side // 32) * 32 for side in size],
                seconds=dict(distilled_step=distilled, student_step=student))


def test_reference_is_the_anchor_times_the_cpu_work_ratio():
    runs = {FASTER.measured_by: record('FasterRCNN', 9.0, 4.0),
            'mine': record('FasterRCNN', 10.0, 3.0)}
    ref = reference_speed('mine', {'runs': runs})
    assert ref.seconds == pytest.approx(FASTER.seconds * 10.0 / 4.0)
    assert f'{FASTER.seconds} s/iter' in ref.source and 'x 2.50' in ref.source
    assert FASTER.hardware in ref.source and FASTER.source in ref.source
    # The anchor's own run: its distilled step over its plain step.
    assert reference_speed(FASTER.measured_by, {'runs': runs}).seconds == pytest.approx(
        FASTER.seconds * 9.0 / 4.0)


@pytest.mark.parametrize('mine, why', [
    (record('FasterRCNN', 10.0, 3.0, batch=4), 'another per-GPU batch than the anchor'),
    (record('FasterRCNN', 10.0, 3.0, size=(800, 1216)), 'another input size than the anchor'),
    (record('ImageClassifier', 10.0, 3.0), 'no anchor for this kind of student'),
])
def test_no_reference_rather_than_a_wrong_one(mine, why):
    runs = {FASTER.measured_by: record('FasterRCNN', 9.0, 4.0), 'mine': mine}
    assert reference_speed('mine', {'runs': runs}) is None, why
    assert reference_speed('unmeasured', {'runs': runs}) is None
    assert reference_speed('mine', {'runs': {'mine': record('FasterRCNN', 1, 1)}}) is None


def test_shipped_measurements_cover_the_coco_tables():
    """Every run of the COCO tables has a reference; all were timed alike, and each anchor's
    run holds the anchor's model as its student."""
    measured = load_measurements()['runs']
    tables = paper_tables(REPO_ROOT)
    for name in ('diffkd-coco', 'nd-coco', 'pefd-coco'):
        for run in tables[name].runs:
            assert reference_speed(run.name) is not None, run.name
            assert measured[run.name]['config'] == run.config
    assert len({(tuple(r['input_size']), r['threads'], r['clock'], r['iters'])
                for r in measured.values()}) == 1
    for name, anchor in ANCHORS.items():
        assert ANCHOR_OF_STUDENT_TYPE[measured[anchor.measured_by]['student_type']] == name


@pytest.mark.slow
def test_speed_reference_tool_times_a_run_and_merges(tmp_path):
    """On the toy MSE detector at 64x64, with the anchors' runs already in the file: only the
    asked run is timed, and the earlier entries stay."""
    out = tmp_path / 'reference.json'
    anchors = {a.measured_by: dict(record('FasterRCNN', 1.0, 1.0), threads=1, clock='cpu')
               for a in ANCHORS.values()}
    out.write_text(json.dumps({'runs': anchors}))
    name = 'mse_faster-rcnn_r18w32-r18w8_fpn_toy-det'
    proc = subprocess.run(
        [sys.executable, osp.join(REPO_ROOT, 'tools', 'misc', 'speed_reference.py'), 'toy',
         '--only', name, '--size', '64', '64', '--iters', '1', '--out', str(out)],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    runs = json.loads(out.read_text())['runs']
    assert set(runs) == set(anchors) | {name}
    mine = runs[name]
    assert mine['student_type'] == 'FasterRCNN' and mine['size'] == [64, 64]
    assert mine['input_size'] == [64, 64]
    assert mine['threads'] == 1 and mine['clock'] == 'cpu' and mine['batch_size'] == 8
    assert mine['seconds']['distilled_step'] > 0 and mine['command'].endswith(str(out))


def test_unknown_table_is_one_error_line():
    proc = subprocess.run(
        [sys.executable, osp.join(REPO_ROOT, 'tools', 'misc', 'speed_reference.py'), 'cocoo'],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: unknown table(s) ['cocoo']; the tables are: ")


def test_dry_run_estimates_from_the_reference_unless_options_change_the_run(tmp_path):
    """The shipped config gets the reference's GPU-hours; with --cfg-options (another batch,
    say) the reference no longer describes the run, and the estimate is unknown."""
    table = paper_tables(REPO_ROOT)['diffkd-coco']
    runs = select(table, 'diffkd_faster-rcnn_r101-r50_fpn_2x_coco')
    launcher = Launcher('slurm', 8, 'gpu')
    text = Reproduction(table, str(tmp_path), launcher, REPO_ROOT, REPO_ROOT).dry_run(runs)
    expected = reference_speed(runs[0].name).seconds
    assert f'175,920 iterations × {expected:.3f} s/iter × 8 GPU(s)' in text
    assert 's/iter: reference: MMDetection Faster R-CNN R-50-FPN 0.216 s/iter' in text
    assert f'Total: {175920 * expected * 8 / 3600:.1f} GPU-h for the 1 run(s)' in text
    changed = Reproduction(table, str(tmp_path), launcher, REPO_ROOT, REPO_ROOT,
                           cfg_options={'train_dataloader.batch_size': 4}).dry_run(runs)
    assert 'unknown s/iter' in changed and 'Total: unknown' in changed
