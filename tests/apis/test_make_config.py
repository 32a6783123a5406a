"""tools/make_config.py and tools/train.py --student/--teacher/--method (apis/make_config.py).

The family matrix (helpers/families.py) distils scaled-down stock configs of every model family
for one step through the generated config, exports the student and reloads it with the toolbox's
own API; one case per toolbox is quick, the rest are `slow`. The refusals use the toy configs.
"""
import ast
import os.path as osp

import pytest
from helpers.families import CASES, FAMILIES, QUICK, distil_and_reload, write_config
from helpers.runs import REPO_ROOT, SHORT_RUN, run_tool, toy_config

from mmkd_ext.apis.make_config import METHODS, make_distill_config
from mmkd_ext.utils.errors import InputError

TOY_CLS_STUDENT = 'mmkd_ext::toy/resnet18-w8_toy-cls.py'
TOY_CLS_TEACHER = 'mmkd_ext::toy/resnet18-w32_toy-cls.py'
TOY_RETINANET = toy_config('retinanet_r18-w8_fpn_toy-det.py')


@pytest.mark.parametrize('family, method', [
    pytest.param(*case, marks=[] if case in QUICK else [pytest.mark.slow]) for case in CASES
], ids=[f'{f}-{m}' for f, m in CASES])
def test_family_distils_exports_and_reloads(tmp_path, family, method):
    log_vars = distil_and_reload(str(tmp_path), family, method)
    assert any(f'distill.' in k for k in log_vars)


def test_every_family_has_a_feature_method_and_a_logit_method_where_there_are_logits():
    """Each family of the matrix is distilled with a feature method, and with a logit method
    where its task has logits (segmentation, classification)."""
    for family, (student, _, _) in FAMILIES.items():
        task = 'det' if 'mmdet::' in student else 'seg' if 'mmseg::' in student else 'cls'
        kinds = {METHODS[m].tasks[task] for f, m in CASES if f == family}
        assert kinds - {'logits'}, f'{family}: no feature method'
        assert task == 'det' or 'logits' in kinds, f'{family}: no logit method'


def _refusal(student: str, teacher: str, method: str) -> str:
    with pytest.raises(InputError) as err:
        make_distill_config(student, teacher, method, trace_size=(64, 64))
    return str(err.value)


def test_a_method_for_another_task_is_refused_with_the_methods_that_fit():
    message = _refusal(TOY_RETINANET, TOY_RETINANET, 'kd')
    assert 'does not apply to a detector' in message
    assert "['cwd', 'diffkd', 'diffkd-fgd', 'mse']" in message
    assert 'cwd does not apply to a classifier' in _refusal(TOY_CLS_STUDENT, TOY_CLS_TEACHER, 'cwd')


def test_other_class_counts_are_refused_for_a_logit_method(tmp_path):
    teacher = write_config(str(tmp_path / 'teacher.py'),
                           f"_base_ = '{toy_config('resnet18-w32_toy-cls.py')}'\n"
                           "model = dict(head=dict(num_classes=5))")
    message = _refusal(TOY_CLS_STUDENT, teacher, 'kd')
    assert 'the student predicts 4 classes and the teacher 5' in message
    # A feature method pairs the pooled features regardless of the classes.
    assert 'pooled' in make_distill_config(TOY_CLS_STUDENT, teacher, 'mse', trace_size=(32, 32))


def test_necks_without_a_common_stride_are_refused_with_both_strides(tmp_path):
    student = write_config(str(tmp_path / 'student.py'), f"_base_ = '{TOY_RETINANET}'\n"
                           "model = dict(neck=dict(start_level=2, num_outs=2))")
    teacher = write_config(str(tmp_path / 'teacher.py'), f"_base_ = '{TOY_RETINANET}'\n"
                           "model = dict(neck=dict(start_level=0, end_level=0, num_outs=1))")
    message = _refusal(student, teacher, 'mse')
    assert 'No common stride' in message and '[16, 32]' in message and '[4]' in message


def test_models_of_different_tasks_and_unknown_methods_are_refused():
    assert 'both must be of the same task' in _refusal(TOY_CLS_STUDENT, TOY_RETINANET, 'mse')
    assert 'is not one of' in _refusal(TOY_CLS_STUDENT, TOY_CLS_TEACHER, 'fitnet')
    assert 'does not exist' in _refusal('no/such/config.py', TOY_CLS_TEACHER, 'kd')


@pytest.mark.slow
def test_a_query_based_segmentation_head_is_refused(tmp_path):
    """Mask2Former builds (mmseg 1.2 with mmdet), but predicts masks per query: no conv_seg."""
    m2f = write_config(str(tmp_path / 'm2f.py'),
                       "_base_ = 'mmseg::mask2former/"
                       "mask2former_r50_8xb2-90k_cityscapes-512x1024.py'\n"
                       "model = dict(data_preprocessor=dict(size=(64, 64)), "
                       "backbone=dict(depth=18, init_cfg=None), decode_head=dict(in_channels="
                       "[64, 128, 256, 512]))")
    fcn = write_config(str(tmp_path / 'fcn.py'), FAMILIES['fcn'][0])
    message = _refusal(fcn, m2f, 'kd')
    assert 'query-based head' in message and 'Mask2FormerHead' in message


@pytest.mark.parametrize('method', sorted(m for m, s in METHODS.items() if 'cls' in s.tasks))
def test_every_classification_method_writes_a_config_that_inspects_clean(tmp_path, method):
    """The generated file is short and every point passes tools/inspect_features.py's checks."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from mmkd_ext.analysis.inspect import build_pair, first_batch, inspect_pair
    out = str(tmp_path / f'{method}.py')
    text = make_distill_config(TOY_CLS_STUDENT, TOY_CLS_TEACHER, method, out=out,
                               trace_size=(32, 32))
    assert len(text.splitlines()) < 40
    assert "student=_base_.model" in text and '_delete_=True' in text
    # The config idiom (tests/configs/test_config_idiom.py): no logic, the only call is dict.
    calls = [n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Call)]
    assert all(isinstance(c.func, ast.Name) and c.func.id == 'dict' for c in calls)
    cfg = Config.fromfile(out)
    init_default_scope(cfg.default_scope)
    student, teacher, points = build_pair(cfg, random_teacher=True)
    inputs, samples = first_batch(student, cfg, 2, (32, 32), fake=True)
    if method == 'nd':  # its class means come from ClassMeansHook when training starts
        points.pop('nd')
        assert any(h.type == 'ClassMeansHook' for h in cfg.custom_hooks)
    report = inspect_pair(student, teacher, inputs, samples, points)
    assert all(check.ok for check in report.points), [c.errors for c in report.points]


def test_make_config_tool_prints_the_config(capsys):
    run_tool('make_config.py', ['--student', TOY_CLS_STUDENT, '--teacher', TOY_CLS_TEACHER,
                                '--method', 'kd', '--size', '32', '32'])
    text = capsys.readouterr().out
    assert "type='KDLoss', tau=4.0" in text and "student='head.fc'" in text


@pytest.mark.slow
def test_train_tool_generates_trains_and_tests_a_pair(in_toy_workspace):
    """tools/train.py --student/--teacher/--method writes the config into the work dir, trains
    it, and tools/test.py then evaluates the written file's student."""
    from helpers.runs import save_random_teacher
    teacher = save_random_teacher('kd_resnet18w32-r18w8_toy-cls.py',
                                  osp.join(in_toy_workspace, 'teacher.pth'))
    work_dir = osp.join(in_toy_workspace, 'pair')
    run_tool('train.py', ['--student', TOY_CLS_STUDENT, '--teacher', TOY_CLS_TEACHER,
                          '--method', 'kd', '--teacher-checkpoint', teacher, '--work-dir',
                          work_dir, '--cfg-options'] + SHORT_RUN)
    config = osp.join(work_dir, 'kd_resnet18-w32_toy-cls-resnet18-w8_toy-cls.py')
    assert osp.isfile(config)
    for name in ('iter_2.pth', 'iter_2_student.pth', 'student_config.py'):
        assert osp.isfile(osp.join(work_dir, name)), name
    run_tool('test.py', [config, osp.join(work_dir, 'iter_2.pth'), '--work-dir',
                         osp.join(in_toy_workspace, 'test')])


def test_train_tool_refuses_a_config_and_a_pair_together():
    with pytest.raises(SystemExit, match='not both'):
        run_tool('train.py', [osp.join(REPO_ROOT, 'configs', 'toy', 'resnet18-w8_toy-cls.py'),
                              '--student', TOY_CLS_STUDENT, '--teacher', TOY_CLS_TEACHER,
                              '--method', 'kd'])


def test_records_of_different_sizes_are_refused(tmp_path):
    """SegFormer's decoder works at 1/4 of the input, FCN's at 1/8: no position-wise pairing."""
    segformer = write_config(str(tmp_path / 'segformer.py'), FAMILIES['segformer'][0])
    fcn = write_config(str(tmp_path / 'fcn.py'), FAMILIES['fcn'][1])
    message = _refusal(segformer, fcn, 'mse')
    assert 'No common stride' in message and '(2, 256, 16, 16)' in message
    assert '(2, 64, 8, 8)' in message


@pytest.mark.slow
def test_the_docs_page_shows_what_the_generator_writes():
    """docs/distil_your_own_pair.md quotes the RTMDet-s -> RTMDet-tiny config as generated."""
    text = make_distill_config('mmdet::rtmdet/rtmdet_tiny_8xb32-300e_coco.py',
                               'mmdet::rtmdet/rtmdet_s_8xb32-300e_coco.py', 'mse')
    with open(osp.join(REPO_ROOT, 'docs', 'distil_your_own_pair.md')) as f:
        assert text in f.read()
