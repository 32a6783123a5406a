"""Feature inspection, CKA / ECE metrics and the analysis report."""
import json
import os
import os.path as osp

import pytest
import torch

from helpers.runs import run_tool, toy_config

DET_CONFIG = 'mse_faster-rcnn_r18w32-r18w8_fpn_toy-det.py'


# ------------------------------------------------------------------------------------- metrics

def test_cka_of_itself_and_of_a_rotation_is_one():
    from mmkd_ext.analysis.metrics import linear_cka
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(500, 16, generator=gen)
    rotation, _ = torch.linalg.qr(torch.randn(16, 16, generator=gen))
    assert linear_cka(x, x) == pytest.approx(1.0, abs=1e-9)
    assert linear_cka(x, 3.0 * x @ rotation) == pytest.approx(1.0, abs=1e-9)


def test_cka_of_independent_noise_is_near_zero():
    from mmkd_ext.analysis.metrics import linear_cka
    gen = torch.Generator().manual_seed(1)
    # The bias of the estimate shrinks like p * q / n: small widths, large n.
    x, y = torch.randn(20000, 8, generator=gen), torch.randn(20000, 12, generator=gen)
    assert linear_cka(x, y) < 0.01


def test_ece_of_a_calibrated_predictor_is_near_zero_and_of_an_overconfident_one_is_not():
    from mmkd_ext.analysis.metrics import expected_calibration_error, reliability_bins
    gen = torch.Generator().manual_seed(2)
    probs = torch.softmax(2 * torch.randn(40000, 5, generator=gen), dim=1)
    labels = torch.multinomial(probs, 1, generator=gen)[:, 0]  # labels drawn from the predictions
    assert expected_calibration_error(probs, labels) < 0.01
    sharp = torch.softmax(20 * torch.log(probs), dim=1)  # same arg-max, far too confident
    assert expected_calibration_error(sharp, labels) > 0.1
    bins = reliability_bins(probs, labels, n_bins=15)
    assert len(bins.counts) == 15 and sum(bins.counts) == len(labels)


# ------------------------------------------------------------------------------------- inspect

def test_inspect_flags_a_wrong_name_and_a_shape_mismatch():
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmkd_ext  # noqa: F401
    from mmkd_ext.analysis.inspect import build_pair, first_batch, format_report, inspect_pair
    cfg = Config.fromfile(toy_config(DET_CONFIG))
    cfg.merge_from_dict({'model.teacher.checkpoint': None,
                         'model.distill_points.fpn0.student': 'nek[0]',     # typo
                         'model.distill_points.fpn1.teacher': 'neck[2]'})  # other level
    init_default_scope(cfg.default_scope)
    student, teacher, points = build_pair(cfg)
    inputs, samples = first_batch(student, cfg, 2, (64, 64), fake=True)
    report = inspect_pair(student, teacher, inputs, samples, points)
    checks = {c.name: c for c in report.points}
    assert 'no module named "nek"' in checks['fpn0'].errors[0] and "'neck'" in checks['fpn0'].errors[0]
    assert 'must have the same shape' in checks['fpn1'].errors[0]
    assert checks['fpn2'].ok and checks['fpn3'].ok
    text = format_report(report)
    assert '[PROBLEM] fpn0' in text and '[PROBLEM] fpn1' in text and '[OK] fpn2' in text
    assert any(s.student == 'neck[0]' and s.teacher == 'neck[0]' for s in report.suggestions)
    assert any('Projector(' in s.connector for s in report.suggestions)


def _entry(name: str, order: int, shapes: dict):
    from mmkd_ext.analysis.inspect import TraceEntry
    return TraceEntry(name, 'Module', order, outputs=['...'], shapes=shapes)


def test_suggested_pairs_are_like_with_like():
    """Stage with stage, FPN level with level, head with head; never a head with the neck."""
    from mmkd_ext.analysis.inspect import module_role, suggest_pairs
    student = [
        _entry('backbone', 0, {(0, ): (2, 8, 16, 16), (1, ): (2, 16, 8, 8)}),
        _entry('neck', 1, {(0, ): (2, 32, 16, 16), (1, ): (2, 32, 8, 8)}),
        _entry('bbox_head', 2, {(0, 0): (2, 36, 16, 16), (0, 1): (2, 36, 8, 8)}),
    ]
    teacher = [  # another architecture: other names, and the head before the neck in the list
        _entry('backbone.layer1', 0, {(): (2, 64, 16, 16)}),
        _entry('backbone.layer2', 1, {(): (2, 128, 8, 8)}),
        _entry('bbox_head', 2, {(0, 0): (2, 36, 16, 16), (0, 1): (2, 36, 8, 8)}),
        _entry('neck', 3, {(0, ): (2, 32, 16, 16), (1, ): (2, 32, 8, 8)}),
    ]
    pairs = {s.student: s.teacher for s in suggest_pairs(student, teacher)}
    assert pairs == {'backbone[0]': 'backbone.layer1', 'backbone[1]': 'backbone.layer2',
                     'neck[0]': 'neck[0]', 'neck[1]': 'neck[1]',
                     'bbox_head[0][0]': 'bbox_head[0][0]', 'bbox_head[0][1]': 'bbox_head[0][1]'}
    # Without a teacher head of that size the student head gets no partner, not a neck level.
    alone = suggest_pairs(student, teacher[:2] + teacher[3:])
    assert not any(s.student.startswith('bbox_head') for s in alone)
    assert [module_role(n) for n in ('rpn_head.rpn_cls', 'roi_head', 'decode_head', 'head.fc',
                                     'neck', 'backbone.layer4')] == \
        ['head', 'head', 'head', 'head', 'neck', 'backbone']


def test_inspect_features_tool_marks_the_configured_points(capsys):
    run_tool('inspect_features.py', [toy_config(DET_CONFIG), '--fake', '--size', '64', '64',
                                     '--filter', 'neck*', '--cfg-options',
                                     'model.teacher.checkpoint=None'])
    out = capsys.readouterr().out
    for i in range(4):
        assert f'[OK] fpn{i}: student neck[{i}]' in out
        assert f'student neck[{i}] ' in out.split('suggested pairings')[1]
    assert '<== point fpn0, fpn1, fpn2, fpn3' in out
    assert 'backbone.layer1' not in out  # filtered out


# ------------------------------------------------------------------------------------- analyze

def test_analyze_writes_the_report_and_plots(in_toy_workspace, capsys):
    from mmengine.config import Config
    from mmengine.registry import MODELS, init_default_scope

    import mmkd_ext  # noqa: F401
    # A feature point ('feature', the last stage) beside a logits point.
    config = toy_config('diffkd_resnet18w32-r18w8_toy-cls.py')
    cfg = Config.fromfile(config)
    cfg.model.teacher.checkpoint = None
    init_default_scope(cfg.default_scope)
    distiller = MODELS.build(cfg.model)
    # Random weights stand in for trained ones: a plain student checkpoint and a distiller one.
    torch.save({'state_dict': distiller.student.state_dict()}, 'plain.pth')
    with torch.no_grad():
        for param in distiller.student.parameters():
            param.mul_(1.5)
    torch.save({'state_dict': distiller.state_dict()}, 'distilled.pth')

    run_tool('analyze.py', [config, 'plain.pth', 'distilled.pth', '--labels', 'plain', 'distilled',
                            '--max-samples', '6', '--out-dir', 'analysis', '--random-teacher'])
    with open(osp.join('analysis', 'report.json')) as f:
        report = json.load(f)
    assert [r['label'] for r in report['checkpoints']] == ['plain', 'distilled']
    for result in report['checkpoints']:
        assert result['num_samples'] == 6
        assert set(result['points']) == {'logits', 'feature'}
        assert 0.0 <= result['points']['feature']['cka'] <= 1.0 + 1e-9
        assert 0.0 <= result['top1'] <= 1.0 and 0.0 <= result['ece'] <= 1.0
        assert len(result['points']['feature']['student_norms']) == 6
    for png in ('cka.png', 'feature_norms.png', 'reliability.png'):
        assert os.path.getsize(osp.join('analysis', png)) > 0
    assert 'plain: 6 samples' in capsys.readouterr().out
