"""Every mistake of docs/troubleshooting.md's list: one ``error:`` line with a fix, no traceback.

The first group is the table of issue 21 (what a new user tried), one test per row; the second
the further mistakes the page lists. Each runs the tool's command line in-process on the toy
configs; most stop before a Runner is built, so they take well under a second.
"""
import glob
import os
import os.path as osp

import pytest
import torch
from helpers.runs import build_toy, run_tool, save_random_teacher, tool_error, toy_config

from mmkd_ext.apis import prepare_train_config
from mmkd_ext.apis.config import load_config
from mmkd_ext.checkpoint import read_checkpoint
from mmkd_ext.datasets import fake_batch
from mmkd_ext.utils.errors import InputError, InputFileNotFoundError

CLS = 'kd_resnet18w32-r18w8_toy-cls.py'
ND_CLS = 'nd-kd_resnet18w32-r18w8_toy-cls.py'
NO_TEACHER = 'model.teacher.checkpoint=None'
TEXT = 'This is not a checkpoint.\n'


def train_error(*options: str, extra=(), config: str = CLS) -> str:
    """The error line of ``tools/train.py CONFIG --work-dir run [extra] --cfg-options ...``."""
    return tool_error('train.py', [toy_config(config), '--work-dir', 'run', *extra,
                                   '--cfg-options', *options])


def write(path: str, data) -> str:
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    with open(path, 'wb' if isinstance(data, bytes) else 'w') as f:
        f.write(data)
    return path


def truncated_checkpoint(path: str) -> str:
    """A real checkpoint cut in half, as an interrupted copy leaves it."""
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    torch.save({'meta': {}, 'state_dict': {'w': torch.ones(1000)}}, path)
    with open(path, 'rb') as f:
        data = f.read()
    return write(path, data[:len(data) // 2])


def small_checkpoint(path: str) -> str:
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    torch.save({'meta': {}, 'state_dict': {'w': torch.ones(3)}}, path)
    return path


# ------------------------------------------------------------------ the rows of issue 21

def test_row_typo_in_a_point_module(in_toy_workspace):
    message = train_error(NO_TEACHER, 'model.distill_points.logits.student=head.fcc')
    assert 'model.distill_points.logits.student' in message and '"head.fcc"' in message
    assert "'head.fc'" in message or '"head.fc"' in message or 'head.fc,' in message


def test_row_missing_teacher_checkpoint(in_toy_workspace):
    message = train_error('model.teacher.checkpoint=nowhere/teacher.pth')
    assert 'Teacher checkpoint "nowhere/teacher.pth" does not exist' in message
    assert '--cfg-options model.teacher.checkpoint=PATH' in message


def test_row_test_tool_with_a_missing_checkpoint(in_toy_workspace):
    message = tool_error('test.py', [toy_config(CLS), 'run/iter_7.pth'])
    assert 'Checkpoint "run/iter_7.pth" does not exist' in message


def test_row_misspelled_loss_type(in_toy_workspace):
    message = train_error(NO_TEACHER, 'model.distill_points.logits.loss.type=KDLos')
    assert 'model.distill_points.logits.loss.type: "KDLos"' in message
    assert "Did you mean 'KDLoss'" in message


def test_row_point_shapes_differ_without_connector(in_toy_workspace):
    """Found on the first two training images before the first iteration, not at iteration 1."""
    message = train_error(NO_TEACHER, 'model.distill_points.logits.student=backbone.layer1',
                          'model.distill_points.logits.teacher=backbone.layer4')
    assert message.startswith('error: Distillation point "logits" (model.distill_points.logits)')
    assert '"backbone.layer1"' in message and '"backbone.layer4"' in message
    assert 'must have the same shape' in message and 'Projector' in message
    assert not os.path.exists('run/last_checkpoint')


def test_row_text_file_as_teacher_checkpoint(in_toy_workspace):
    path = write('teacher.pth', TEXT)
    message = train_error(f'model.teacher.checkpoint={path}')
    assert (f'Teacher checkpoint (model.teacher.checkpoint) "teacher.pth" ({len(TEXT)} bytes) '
            f'cannot be read as a checkpoint') in message
    assert 'neither a zip archive nor torch\'s legacy format' in message


@pytest.mark.parametrize('data', [
    TEXT, 'e' * 101, '<html>\n<body>404</body>\n</html>\n', b'', b'PK\x03\x04 broken zip',
    b'\x80\x02 a pickle header and nothing else'])
def test_any_unreadable_content_cannot_be_read_as_a_checkpoint(tmp_path, data):
    """Text gave IndexError, KeyError or "Unsupported operand" before, depending on the text."""
    path = write(str(tmp_path / 'x.pth'), data)
    with pytest.raises(InputError, match=r'"[^"]*x\.pth" \(\d+ bytes\) cannot be read as a '
                       r'checkpoint'):
        read_checkpoint(path, 'Checkpoint')


def test_row_config_path_does_not_exist(in_toy_workspace):
    message = tool_error('train.py', [toy_config('kd_resnet18w32-r18w8_toy-clss.py')])
    assert 'Config "' in message and 'kd_resnet18w32-r18w8_toy-clss.py" does not exist' in message
    assert 'kd_resnet18w32-r18w8_toy-cls.py' in message.split('Closest names')[1]


def test_row_negative_tau_names_the_key(in_toy_workspace):
    message = train_error(NO_TEACHER, 'model.distill_points.logits.loss.tau=-1')
    assert 'model.distill_points.logits.loss: KDLoss: tau must be positive, got -1' in message
    assert 'set it to a number > 0' in message


def test_row_convert_a_plain_checkpoint(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    torch.save({'meta': {}, 'state_dict': {'backbone.conv1.weight': torch.ones(1)}}, 'plain.pth')
    message = tool_error('convert_to_student.py', ['plain.pth'])
    assert 'plain.pth is already a plain model checkpoint' in message
    assert 'nothing needs converting' in message
    assert not osp.exists('plain_student.pth')


def test_row_analyze_checkpoints_of_two_architectures(in_toy_workspace):
    """The file that does not fit is named before anything is analysed."""
    student = build_toy(CLS)[1].student
    torch.save({'meta': {}, 'state_dict': student.state_dict()}, 'student.pth')
    save_random_teacher(CLS, 'wide.pth')  # the teacher's (4x wider) architecture
    message = tool_error('analyze.py', [toy_config(CLS), 'student.pth', 'wide.pth',
                                        '--random-teacher', '--out-dir', 'out'])
    assert 'Checkpoint "wide.pth" does not fit the config\'s student' in message
    assert 'differ in shape' in message and 'another architecture' in message
    assert not osp.exists('out/report.json')


def test_row_resume_from_a_truncated_last_checkpoint(in_toy_workspace):
    good = small_checkpoint('run/iter_1.pth')
    bad = truncated_checkpoint('run/iter_2.pth')
    write('run/last_checkpoint', osp.abspath(bad))
    message = train_error(NO_TEACHER, extra=['--resume'])
    assert f'"{osp.abspath(bad)}"' in message and 'cannot be read as a checkpoint' in message
    assert f'previous readable checkpoint is "{osp.abspath(good)}"' in message
    assert f'--resume {osp.abspath(good)}' in message


def test_row_copied_work_dir_never_resumes_from_the_original(in_toy_workspace):
    original = small_checkpoint('orig/iter_2.pth')
    truncated_checkpoint('copy/iter_2.pth')
    write('copy/last_checkpoint', osp.abspath(original))
    message = tool_error('train.py', [toy_config(CLS), '--work-dir', 'copy', '--resume',
                                      '--cfg-options', NO_TEACHER])
    assert f'points to "{osp.abspath(original)}", which is outside the work dir copy' in message
    assert '--resume copy/iter_2.pth' in message


def test_row_data_root_is_an_empty_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.makedirs('empty')
    message = train_error(NO_TEACHER, 'data_root=empty')
    assert 'train_dataloader.dataset.data_prefix: the folder "empty/cls/train" does not exist' \
        in message
    assert ('val_dataloader.dataset.data_prefix: the folder "empty/cls/val" does not exist. '
            'data_root "empty/" (the folder is empty) should hold the mmpretrain layout of '
            'CustomDataset') in message
    assert '--cfg-options data_root=DIR' in message and 'make_toy_data.py' in message


def test_row_benchmark_with_a_random_teacher_needs_no_class_means(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # no class-means file anywhere
    run_tool('benchmark.py', [toy_config(ND_CLS), '--random-teacher', '--iters', '1',
                              '--warmup', '0', '--size', '32', '32'])
    assert 'distilled step' in capsys.readouterr().out


# ------------------------------------------------------------- further mistakes (the list)

def test_config_with_a_syntax_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write('bad.py', "model = dict(type='FeatureDistiller',\n")
    message = tool_error('train.py', ['bad.py'])
    assert 'Config "bad.py" cannot be loaded' in message and 'SyntaxError' in message


def test_teacher_config_that_does_not_exist(in_toy_workspace):
    wrong = toy_config('resnet18-w64_toy-cls.py')
    message = train_error(NO_TEACHER, f'model.teacher.config={wrong}')
    assert f'Teacher config (model.teacher.config) "{wrong}" does not exist' in message
    assert 'resnet18-w32_toy-cls.py' in message


@pytest.mark.parametrize('content,expected', [
    (None, 'load_from "start.pth" does not exist'),
    (TEXT, 'load_from "start.pth" (26 bytes) cannot be read as a checkpoint'),
])
def test_load_from_missing_or_not_a_checkpoint(in_toy_workspace, content, expected):
    if content is not None:
        write('start.pth', content)
    assert expected in train_error(NO_TEACHER, 'load_from=start.pth')


def test_data_root_that_does_not_exist(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    message = train_error(NO_TEACHER, 'data_root=nowhere')
    assert 'train_dataloader.dataset.data_root "nowhere/" does not exist' in message


@pytest.mark.parametrize('option,expected', [
    ('train_cfg.max_iters=0', 'train_cfg.max_iters must be a positive integer, got 0'),
    ('train_dataloader.batch_size=0',
     'train_dataloader.batch_size must be a positive integer, got 0'),
    ('optim_wrapper.optimizer.lr=-0.1', 'optim_wrapper.optimizer.lr must be a number >= 0'),
])
def test_impossible_run_settings(in_toy_workspace, option, expected):
    message = train_error(NO_TEACHER, option)
    assert expected in message and '--cfg-options' in message


@pytest.mark.skipif(torch.cuda.is_available(), reason='--amp is refused on CPU only')
def test_amp_on_cpu(in_toy_workspace):
    assert '--amp needs a GPU' in train_error(NO_TEACHER, extra=['--amp'])


def test_auto_scale_lr_without_a_base_batch_size(in_toy_workspace):
    message = train_error(NO_TEACHER, extra=['--auto-scale-lr'])
    assert '--auto-scale-lr needs `auto_scale_lr = dict(base_batch_size=N)`' in message


def test_teacher_switch_on_a_plain_config(in_toy_workspace):
    small_checkpoint('plain.pth')
    message = tool_error('test.py', [toy_config('resnet18-w8_toy-cls.py'), 'plain.pth',
                                     '--teacher'])
    assert '--teacher needs a distillation config' in message and 'leave out --teacher' in message


def test_resume_from_a_file_that_is_not_a_checkpoint(in_toy_workspace):
    write('notes.pth', TEXT)
    message = train_error(NO_TEACHER, extra=['--resume', 'notes.pth'])
    assert '--resume checkpoint "notes.pth"' in message and 'cannot be read as a checkpoint' \
        in message
    assert 'train again without --resume' in message


def test_convert_a_missing_checkpoint(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert 'Checkpoint "iter_9.pth" does not exist' in tool_error('convert_to_student.py',
                                                                  ['iter_9.pth'])


# ------------------------------------------------------------------- the check's guarantees

def test_the_point_check_changes_nothing_and_can_be_switched_off(in_toy_workspace):
    cfg, model = build_toy(CLS)
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    batch = model.data_preprocessor(fake_batch(model.student, 2, (32, 32)), False)
    model.check_points(batch['inputs'], batch['data_samples'])
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert model.training and model.student.training
    for switch, expected in ((True, True), (False, False)):
        cfg = load_config(toy_config(CLS), {'check_points': switch})
        prepare_train_config(cfg, 'run')
        hooks = [h['type'] for h in cfg.custom_hooks]
        assert ('DistillPointCheckHook' in hooks) is expected


@pytest.mark.slow
def test_test_tool_loads_the_given_checkpoint_and_the_teacher_runs_elsewhere(in_toy_workspace):
    """No ``*_student.pth`` re-export overwrites a run's file; --teacher keeps out of the run."""
    model = build_toy(CLS)[1]
    torch.save({'meta': {}, 'state_dict': model.state_dict()}, 'distilled.pth')
    run_tool('test.py', [toy_config(CLS), 'distilled.pth', '--work-dir', 'run'])
    with open(glob.glob('run/*/*.log')[0]) as f:
        assert 'Load checkpoint from distilled.pth' in f.read()
    assert not glob.glob('**/*_student.pth', recursive=True)
    run_dir = osp.join('work_dirs', osp.splitext(CLS)[0])
    run_tool('test.py', [toy_config(CLS), save_random_teacher(CLS, 'teacher.pth'), '--teacher'])
    assert osp.isdir(run_dir + '_teacher') and not osp.exists(run_dir)


def test_read_checkpoint_names_a_missing_file(tmp_path):
    with pytest.raises(InputFileNotFoundError, match='Checkpoint "nope.pth" does not exist'):
        read_checkpoint('nope.pth', 'Checkpoint')


def test_student_config_accepts_a_package_reference(capsys):
    """``--student-config pkg::path`` as ``--teacher-config`` (it gave a traceback before)."""
    stock = 'mmpretrain::resnet/resnet18_8xb32_in1k.py'
    run_tool('inspect_features.py', ['--student-config', stock, '--teacher-config', stock,
                                     '--fake', '--batch-size', '1', '--size', '32', '32',
                                     '--filter', 'backbone.layer4', '--random-teacher'])
    assert 'backbone.layer4' in capsys.readouterr().out
