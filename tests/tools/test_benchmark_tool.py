"""tools/benchmark.py: the time of a distillation step, split into its parts, on the toy configs."""
import json

import pytest
from helpers.runs import run_tool, toy_config


def test_benchmark_times_the_points_alone(capsys, tmp_path):
    """On the toy DiffKD config: the points-alone time and its ratio, and the --json record."""
    record = tmp_path / 'timing.json'
    run_tool('benchmark.py', [toy_config('diffkd_resnet18w32-r18w8_toy-cls.py'), '--random-teacher',
                              '--iters', '1', '--warmup', '0', '--batch-size', '2', '--size', '32',
                              '32', '--per-point', '--threads', '1', '--clock', 'cpu',
                              '--json', str(record)])
    out = capsys.readouterr().out
    assert 'points alone' in out and 'point feature' in out and 'point logits' in out
    assert 'distilled / (student + teacher forward + points alone)' in out
    timing = json.loads(record.read_text())
    assert set(timing['seconds']) == {'student_step', 'teacher_forward', 'points_alone',
                                      'distilled_step'}
    assert timing['student_type'] == 'ImageClassifier' and timing['size'] == [32, 32]
    assert timing['input_size'] == [32, 32]
    assert timing['threads'] == 1 and timing['clock'] == 'cpu' and timing['batch_size'] == 2


@pytest.mark.parametrize('per_point', [[], ['--per-point']])
def test_benchmark_of_points_without_parameters(capsys, per_point):
    """Identity connectors and MSE: nothing for the points' optimizer, still timed."""
    run_tool('benchmark.py', [toy_config('mse_faster-rcnn_r18w32-r18w8_fpn_toy-det.py'),
                              '--random-teacher', '--iters', '1', '--warmup', '0', '--batch-size',
                              '1', '--size', '64', '64', '--threads', '1'] + per_point)
    out = capsys.readouterr().out
    assert 'points alone' in out and 'distillation parts 0.000 M' in out
