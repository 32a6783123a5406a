"""Checkpoints from anyone: crafted files run no code, crash nothing, change no class state.

One crafted file per attack (tests/helpers/crafted.py) goes through every loading path
(tests/helpers/loading_paths.py) in a subprocess: a forged numpy object would end it with a signal.
Real checkpoints (the session's toy distillations) load exactly as a full unpickle reads them,
and resume (tests/tools/test_train_tools.py).
"""
import io
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
import torch
from helpers.crafted import (PAYLOAD_PATH, REFUSED_NAMES, WHAT_IS_REFUSED, WITH_KEY_PATH,
                             history_buffer_without_state, write_attack,
                             write_resume_config_attack)
from helpers.runs import (REPO_ROOT, TESTS_DIR, TOOLBOX_CONFIGS, save_random_teacher, toy_config,
                          train)
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner.checkpoint import CheckpointLoader, _load_checkpoint

import mmkd_ext  # noqa: F401
from mmkd_ext.checkpoint import (UnsafeCheckpointError, check_torch_version, load_checkpoint_file,
                                 resume_config_text)
from mmkd_ext.checkpoint.allow_list import MIN_TORCH_VERSION
from mmkd_ext.checkpoint.mmengine_loaders import SCHEMES

DISTILL_CONFIG = 'kd_resnet18w32-r18w8_toy-cls.py'


def subprocess_env(**extra) -> dict:
    paths = [REPO_ROOT, TESTS_DIR] + os.environ.get('PYTHONPATH', '').split(os.pathsep)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in paths if p), **extra)
    env.setdefault('OMP_NUM_THREADS', '1')
    return env


def assert_no_marker(directory: str) -> None:
    ran = [f for f in os.listdir(directory) if f.startswith('pwned')]
    assert not ran, f'a checkpoint ran code: {ran}'


@pytest.fixture
def crafted(tmp_path) -> str:
    """Every crafted file in one folder; a payload that runs would create ``pwned-*`` beside."""
    directory = tmp_path / 'crafted'
    directory.mkdir()
    for name in REFUSED_NAMES:
        write_attack(name, str(directory / f'{name}.pth'), str(tmp_path / f'pwned-{name}'))
    return str(directory)


@pytest.mark.slow
def test_every_loading_path_refuses_every_crafted_file(in_toy_workspace, crafted):
    """Subprocess, and torch's default switched to weights_only=False: every path passes True."""
    out = osp.join(in_toy_workspace, 'results.json')
    proc = subprocess.run([sys.executable, '-m', 'helpers.loading_paths', crafted, out],
                          capture_output=True, text=True,
                          env=subprocess_env(TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD='1'))
    assert proc.returncode == 0, f'return code {proc.returncode}: {proc.stderr[-3000:]}'
    assert_no_marker(in_toy_workspace)
    with open(out) as f:
        results = json.load(f)
    after = results.pop('_after')
    assert after == {'HistoryBuffer([1, 5, 9]).mean()': '5.0', 'float64 holds objects': 'False'}
    assert sorted(results) == sorted(f'{n}.pth' for n in REFUSED_NAMES)
    for file, outcomes in results.items():
        attack = file[:-len('.pth')]
        assert len(outcomes) == 9
        for path, outcome in outcomes.items():
            where = f'{attack} via {path}: {outcome[:600]}'
            assert 'Error' in outcome.split(':')[0], where
            assert WHAT_IS_REFUSED[attack] in outcome, where
            if path == 'torch.load after import mmkd_ext':
                continue  # torch's own error: it knows neither the file nor the key path
            assert 'Refused to load checkpoint' in outcome and file in outcome, where
            if attack in WITH_KEY_PATH:
                assert PAYLOAD_PATH in outcome, where


@pytest.mark.slow
@pytest.mark.parametrize('tool', ['convert', 'test', 'analyze', 'resume', 'teacher'])
def test_tools_survive_an_object_array_forged_from_bytes(in_toy_workspace, tool):
    """The command lines themselves, each in a subprocess (this file crashed them with SIGSEGV)."""
    evil = write_attack('object-array-from-bytes', 'evil.pth', osp.abspath('pwned'))
    config = toy_config(DISTILL_CONFIG)
    no_teacher = ['--cfg-options', 'model.teacher.checkpoint=None']
    args = {
        'convert': ['convert_to_student.py', evil],
        'test': ['test.py', config, evil, '--work-dir', 'w'] + no_teacher,
        'analyze': ['analyze.py', config, evil, '--random-teacher', '--max-samples', '2',
                    '--out-dir', 'w'],
        'resume': ['train.py', config, '--work-dir', 'w', '--resume', evil] + no_teacher,
        'teacher': ['train.py', config, '--work-dir', 'w', '--cfg-options',
                    f'model.teacher.checkpoint={evil}'],
    }[tool]
    proc = subprocess.run([sys.executable, osp.join(REPO_ROOT, 'tools', args[0])] + args[1:],
                          capture_output=True, text=True, env=subprocess_env())
    assert proc.returncode == 1, f'return code {proc.returncode}: {proc.stderr[-3000:]}'
    assert "Refused to load checkpoint 'evil.pth'" in proc.stderr, proc.stderr[-3000:]
    assert f"at {PAYLOAD_PATH}: numpy array: its pickled state holds numpy dtype 'O8' (object)" \
        in proc.stderr
    assert_no_marker(in_toy_workspace)


class _QuietHandler(SimpleHTTPRequestHandler):

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def http_server(tmp_path, monkeypatch):
    """A local HTTP server over ``tmp_path/www`` and an empty torch.hub cache (no network)."""
    root = tmp_path / 'www'
    root.mkdir()
    server = ThreadingHTTPServer(('127.0.0.1', 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))

    def never(*args, **kwargs):
        raise AssertionError('torch.hub.load_state_dict_from_url loads with weights_only=False')

    monkeypatch.setattr(torch.hub, 'load_state_dict_from_url', never)
    yield str(root), f'http://127.0.0.1:{server.server_address[1]}'
    server.shutdown()


def test_url_checkpoints_are_downloaded_then_loaded_safely(http_server, tmp_path):
    root, url = http_server
    write_attack('object-array-from-bytes', osp.join(root, 'evil.pth'), str(tmp_path / 'pwned'))
    torch.save({'meta': {'config': 'gpu_ids = [0, 1]\n'}, 'state_dict': {'w': torch.ones(3)}},
               osp.join(root, 'good.pth'))
    with pytest.raises(UnsafeCheckpointError, match=f'{url}/evil.pth .cached as .*evil.pth'):
        _load_checkpoint(f'{url}/evil.pth')
    good = _load_checkpoint(f'{url}/good.pth')
    assert torch.equal(good['state_dict']['w'], torch.ones(3))
    assert good['meta']['config'] == 'gpu_ids = range(2)\n'
    # Downloaded once into torch.hub's cache; the cached copy is what loads the next time.
    assert osp.isfile(osp.join(os.environ['TORCH_HOME'], 'hub', 'checkpoints', 'good.pth'))
    os.remove(osp.join(root, 'good.pth'))
    assert torch.equal(_load_checkpoint(f'{url}/good.pth')['state_dict']['w'], torch.ones(3))


@pytest.mark.parametrize('scheme', ['torchvision://resnet18', 'open-mmlab://resnet50_v1c',
                                    'mmcls://resnet50'])
def test_model_zoo_schemes_download_through_the_safe_loader(scheme, tmp_path, monkeypatch):
    crafted = write_attack('object-array-from-bytes', str(tmp_path / 'evil.pth'),
                           str(tmp_path / 'pwned'))
    urls = []

    def download(url, dst, hash_prefix=None, progress=True):
        urls.append(url)
        shutil.copyfile(crafted, dst)

    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    monkeypatch.setattr(torch.hub, 'download_url_to_file', download)
    with pytest.raises(UnsafeCheckpointError, match="'O8' \\(object\\)"):
        _load_checkpoint(scheme)
    assert len(urls) == 1 and urls[0].startswith('https://')


def test_every_mmengine_scheme_is_replaced():
    prefixes = [p for group in SCHEMES for p in ((group, ) if isinstance(group, str) else group)]
    assert len(prefixes) == 11
    for prefix in prefixes:
        assert CheckpointLoader._schemes[prefix].__module__ == 'mmkd_ext.checkpoint.mmengine_loaders', prefix


@pytest.mark.slow
def test_resume_never_runs_meta_config(in_toy_workspace):
    """``tools/train.py CFG --resume evil.pth`` runs nothing; MMEngine's GPU-count check stays."""
    options = ['model.teacher.checkpoint=None']
    train(toy_config(DISTILL_CONFIG), 'run', options)
    real = load_checkpoint_file('run/iter_2.pth')
    marker = osp.abspath('pwned')
    write_resume_config_attack('evil.pth', marker, base=real, gpu_ids='gpu_ids = [0]\n')
    more = ['train_cfg.max_iters=4', 'train_cfg.val_interval=4',
            'default_hooks.checkpoint.interval=4']
    train(toy_config(DISTILL_CONFIG), 'run', options + more, extra=['--resume', 'evil.pth'])
    assert not osp.exists(marker)
    resumed = load_checkpoint_file('run/iter_4.pth')
    assert resumed['meta']['iter'] == 4
    # gpu_ids from the text (2 GPUs here, 1 now): MMEngine's own refusal, the payload still not run.
    write_resume_config_attack('two.pth', marker, base=real, gpu_ids='gpu_ids = range(0, 2)\n')
    with pytest.raises(RuntimeError, match='Number of GPUs used for current experiment'):
        train(toy_config(DISTILL_CONFIG), 'run2', options + more, extra=['--resume', 'two.pth'])
    assert not osp.exists(marker)


@pytest.mark.parametrize('text, expected', [
    ('gpu_ids = range(0, 8)\nx = 1\n', 'gpu_ids = range(8)\n'),
    ('gpu_ids = [0, 1, 2]\n', 'gpu_ids = range(3)\n'),
    ('gpu_ids = (0,\n    1)\n', 'gpu_ids = range(2)\n'),
    ('gpu_ids = [0]\ngpu_ids = range(4)\n', 'gpu_ids = range(4)\n'),
    ("gpu_ids = [0]; __import__('os').system('x')\n", None),
    ("gpu_ids = __import__('os').system('x')\n", None),
    ('runner = dict(\n    gpu_ids=[0, 1])\n', None),
    ('gpu_ids = range(0, 9' + '9' * 5000 + ')\n', None),
    ('gpu_ids = range(0, 8, 0)\n', None),
    (b'gpu_ids = [0]', None),
    (None, None),
])
def test_resume_config_text_is_parsed_not_run(text, expected):
    assert resume_config_text(text) == expected


def test_real_message_hub_with_an_empty_history_buffer_loads(tmp_path):
    hub = MessageHub('safety-test')
    hub.update_scalar('train/loss', 0.5)
    hub.update_scalar('train/lr', 0.1)
    # A scalar registered but never updated, as a hook may leave one: its arrays are empty.
    hub._log_scalars['never_updated'] = HistoryBuffer()
    hub._resumed_keys['never_updated'] = True
    hub.update_info('iter', 3)
    path = str(tmp_path / 'hub.pth')
    torch.save({'meta': {'seed': np.int64(7), 'flag': np.bool_(True)},
                'message_hub': hub.state_dict()}, path)
    for loaded in (load_checkpoint_file(path), _load_checkpoint(path)):
        scalars = loaded['message_hub']['log_scalars']
        assert type(scalars['never_updated']) is HistoryBuffer
        assert len(scalars['never_updated']._log_history) == 0
        assert scalars['train/loss'].current() == 0.5 and scalars['train/lr'].mean() == 0.1
        assert type(scalars['train/loss']._log_history) is np.ndarray
        assert loaded['meta']['seed'] == 7 and type(loaded['meta']['seed']) is np.int64
        restored = MessageHub('safety-test-restored')
        restored.load_state_dict(loaded['message_hub'])
        assert restored.get_info('iter') == 3


def test_objects_never_given_their_state_are_refused(tmp_path):
    path = str(tmp_path / 'unbuilt.pth')
    torch.save(history_buffer_without_state(), path)
    with pytest.raises(UnsafeCheckpointError,
                       match=f"at {PAYLOAD_PATH.replace('[', '.').replace(']', '.')}: "
                       f'HistoryBuffer without a state'):
        load_checkpoint_file(path)


def test_plain_torch_load_keeps_refusing_and_pickles_plain_arrays(tmp_path):
    import pickle
    buf = io.BytesIO()
    torch.save({'a': np.arange(6, dtype=np.float32).reshape(2, 3)}, buf)
    buf.seek(0)
    array = torch.load(buf, weights_only=True)['a']
    assert array.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert type(pickle.loads(pickle.dumps(array))) is np.ndarray
    evil = write_attack('history-buffer-statistics', str(tmp_path / 'e.pth'), 'unused')
    with pytest.raises(pickle.UnpicklingError, match="statistics method 'mean'"):
        torch.load(evil, weights_only=True)
    assert HistoryBuffer([1.0, 5.0, 9.0], [1, 1, 1]).mean() == 5.0


def test_torch_below_the_floor_is_refused_clearly(monkeypatch):
    monkeypatch.setattr(torch, '__version__', '2.5.1+cu121')
    with pytest.raises(ImportError, match='needs torch >= 2.6 .found 2.5.1'):
        check_torch_version()
    with open(osp.join(REPO_ROOT, 'setup.py')) as f:
        assert f"'torch>={'.'.join(map(str, MIN_TORCH_VERSION))}'" in f.read()


# ------------------------------------------------------------------------ real checkpoints

@pytest.mark.slow  # trains through tools/train.py (the session fixture)
@pytest.mark.parametrize('name', ['iter_2.pth', 'iter_2_student.pth'])
@pytest.mark.parametrize('key', list(TOOLBOX_CONFIGS))
def test_safe_loaders_read_real_checkpoints_exactly(trained, key, name):
    """Runner and student checkpoints of every toolbox: as a full (trusted) unpickle reads them."""
    from mmengine.logging import HistoryBuffer
    from mmengine.runner.checkpoint import _load_checkpoint

    from mmkd_ext.checkpoint import load_checkpoint_file
    path = osp.join(trained[key]['work_dir'], name)
    reference = torch.load(path, map_location='cpu', weights_only=False)

    def same(a, b) -> bool:
        if isinstance(a, dict):
            return type(a) is type(b) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
        if isinstance(a, (list, tuple)):
            return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
        if isinstance(a, torch.Tensor):
            return torch.equal(a, b)
        if isinstance(a, HistoryBuffer):
            return type(b) is HistoryBuffer and same(vars(a), vars(b))
        if isinstance(a, np.ndarray):
            return type(b) is np.ndarray and a.dtype == b.dtype and np.array_equal(a, b)
        return type(a) is type(b) and a == b

    for loaded in (load_checkpoint_file(path), _load_checkpoint(path, map_location='cpu')):
        assert same(reference, loaded)


@pytest.mark.slow
def test_runner_checkpoints_load_with_weights_only(in_toy_workspace):
    """torch >= 2.6 refuses MMEngine checkpoints unless mmkd_ext allow-lists their types."""
    name = TOOLBOX_CONFIGS['resnet-cls']
    teacher = save_random_teacher(name, 'teacher.pth')
    train(toy_config(name), 'run', [f'model.teacher.checkpoint={teacher}'])
    path = osp.abspath('run/iter_2.pth')
    probe = ('import sys, torch\n'
             'if sys.argv[1] == "with": import mmkd_ext\n'
             f'torch.load({path!r}, weights_only=True)\n')
    plain = subprocess.run([sys.executable, '-c', probe, 'without'], capture_output=True, text=True)
    assert plain.returncode != 0 and 'weights_only' in plain.stderr
    allowed = subprocess.run([sys.executable, '-c', probe, 'with'], capture_output=True, text=True,
                             cwd=REPO_ROOT)
    assert allowed.returncode == 0, allowed.stderr[-2000:]


@pytest.mark.parametrize('written_by', ['numpy.core', 'numpy._core'])
def test_checkpoints_move_between_numpy_1_and_2(written_by):
    """numpy 2 pickles its arrays as numpy._core.multiarray.*, numpy 1 as numpy.core.*."""
    buf = io.BytesIO()
    # The legacy format keeps the pickle's global names as plain text we can rename.
    torch.save({'a': np.arange(3), 's': np.float64(2.5)}, buf, _use_new_zipfile_serialization=False)
    data = buf.getvalue()
    for module in (b'numpy.core.multiarray', b'numpy._core.multiarray'):
        data = data.replace(module, written_by.encode() + b'.multiarray')
    loaded = torch.load(io.BytesIO(data))
    assert loaded['s'] == 2.5 and loaded['a'].tolist() == [0, 1, 2]
