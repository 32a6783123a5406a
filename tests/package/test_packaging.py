"""The package as a user gets it: ``python -m build`` makes an sdist and a wheel that carry
``mmkd_ext/.mim/``; installed into a fresh environment beside an existing OpenMMLab stack, it trains
a user's config that inherits ``mmkd_ext::`` from a folder outside the checkout, through ``mim`` and
the tools in ``.mim/``. No network: the build and the install use what is installed here."""
import glob
import importlib.util
import os
import os.path as osp
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from typing import Dict, List

import pytest
from helpers.runs import REPO_ROOT, SHORT_RUN

pytestmark = pytest.mark.slow

#: What ``mmkd_ext/.mim/`` holds, as the OpenMMLab toolboxes ship it.
MIM_FILES = ('model-index.yml', 'tools/train.py', 'tools/make_toy_data.py',
             'configs/diffkd/diffkd_faster-rcnn_r101-r50_fpn_2x_coco.py',
             'configs/toy/kd_resnet18w32-r18w8_toy-cls.py', 'configs/nd/metafile.yml')


def run(command: List[str], cwd: str, timeout: int = 300) -> str:
    """Run ``command`` as a user's shell would (no PYTHONPATH to the checkout); its stdout."""
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    env['OMP_NUM_THREADS'] = '1'
    proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


@pytest.fixture(scope='module')
def dists(tmp_path_factory) -> Dict[str, str]:
    """The sdist and the wheel; ``--no-isolation`` builds with the setuptools installed here."""
    out = str(tmp_path_factory.mktemp('dist'))
    run([sys.executable, '-m', 'build', '--no-isolation', '--outdir', out, REPO_ROOT], cwd=out)
    return dict(sdist=glob.glob(osp.join(out, '*.tar.gz'))[0],
                wheel=glob.glob(osp.join(out, '*.whl'))[0])


def fresh_venv_with(root: str, *install: str) -> str:
    """A fresh virtual environment in ``root`` where ``pip install --no-deps INSTALL`` put
    mmkd_ext, with this environment's OpenMMLab stack visible behind it; its Python."""
    venv.EnvBuilder(system_site_packages=True, with_pip=False, symlinks=True).create(root)
    python = osp.join(root, 'bin', 'python')
    site = run([python, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
               cwd=root).strip()
    # --system-site-packages shows the base interpreter's packages, not this venv's: a path line
    # adds this venv's (torch, the toolboxes, pip, openmim) after the new venv's own.
    with open(osp.join(site, 'openmmlab_stack.pth'), 'w') as f:
        f.write(sysconfig.get_paths()['purelib'] + '\n')
    run([python, '-m', 'pip', 'install', '-q', '--no-deps', '--no-index', *install], cwd=root)
    return python


def parse_without_import(python: str, work: str) -> List[str]:
    """In a fresh interpreter, without ``import mmkd_ext`` first: a config that inherits our
    paper config by ``mmkd_ext::``; its model type, its teacher config and the folder of the
    mmkd_ext that resolved it."""
    with open(osp.join(work, 'paper.py'), 'w') as f:
        f.write("_base_ = ['mmkd_ext::diffkd/diffkd_faster-rcnn_r101-r50_fpn_2x_coco.py']\n")
    return run([python, '-c', 'from mmengine.config import Config; '
                'cfg = Config.fromfile("paper.py"); import mmkd_ext, os; print(cfg.model.type, '
                'cfg.model.teacher.config, os.path.dirname(mmkd_ext.__file__))'],
               cwd=work).split()[-3:]


PAPER_MODEL = ['FeatureDistiller', 'mmdet::faster_rcnn/faster-rcnn_r101_fpn_2x_coco.py']


@pytest.fixture(scope='module')
def user_python(dists, tmp_path_factory) -> str:
    """The Python of a fresh environment with the wheel installed."""
    return fresh_venv_with(str(tmp_path_factory.mktemp('venv')), dists['wheel'])


def test_sdist_and_wheel_carry_configs_tools_and_model_index(dists):
    with zipfile.ZipFile(dists['wheel']) as wheel:
        names = set(wheel.namelist())
    for name in MIM_FILES:
        assert f'mmkd_ext/.mim/{name}' in names, name
    assert 'mmkd_ext/harness/speed_reference.json' in names  # the dry run's reference
    configs = glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True)
    shipped = {n for n in names if n.startswith('mmkd_ext/.mim/configs/')}
    assert len(shipped) == len(configs) + 3  # and the three metafiles
    with tarfile.open(dists['sdist']) as sdist:
        top = {name.split('/', 1)[1] for name in sdist.getnames() if '/' in name}
    assert {'configs/toy/kd_resnet18w32-r18w8_toy-cls.py', 'tools/train.py', 'model-index.yml',
            'pyproject.toml', 'setup.py'} <= top
    assert not any(name.startswith('mmkd_ext/.mim') for name in top)  # the wheel build copies


def test_a_user_config_outside_the_checkout_trains_through_mim(user_python, tmp_path):
    """The wheel's mmkd_ext (not the checkout's) resolves ``mmkd_ext::`` in ``_base_`` and in
    ``Config.fromfile``; ``mim train mmkd_ext`` runs its tools/train.py, and its
    tools/make_toy_data.py the data."""
    if importlib.util.find_spec('mim') is None:  # not imported here: pip's vendored
        pytest.skip('openmim is not installed')      # typing_extensions would patch typing
    work = str(tmp_path)
    # Without importing mmkd_ext first: the wheel's start-up hook tells MMEngine the prefix.
    *model, package = parse_without_import(user_python, work)
    assert model == PAPER_MODEL
    assert not package.startswith(REPO_ROOT) and osp.isdir(osp.join(package, '.mim', 'configs'))
    run([user_python, osp.join(package, '.mim', 'tools', 'make_toy_data.py'), '--num-train', '16',
         '--num-val', '8', '--num-cls-train', '16', '--num-cls-val', '8'], cwd=work)
    with open(osp.join(work, 'my_kd.py'), 'w') as f:
        f.write("_base_ = ['mmkd_ext::toy/kd_resnet18w32-r18w8_toy-cls.py']\n"
                "model = dict(teacher=dict(checkpoint=None))\n")
    out = run([user_python, '-m', 'mim', 'train', 'mmkd_ext', 'my_kd.py', '--gpus', '0',
               '--work-dir', 'run', '--cfg-options', *SHORT_RUN], cwd=work)
    assert 'Training finished successfully' in out
    assert osp.isfile(osp.join(work, 'run', 'iter_2.pth'))
    assert osp.isfile(osp.join(work, 'run', 'iter_2_student.pth'))
    # The installed model index, offline: every config with its paper's number.
    index = run([user_python, '-m', 'mim', 'search', 'mmkd_ext'], cwd=work)
    entry = index.split('config id: diffkd_faster-rcnn_r101-r50_fpn_2x_coco\n')[1].split('---')[0]
    assert 'coco/box_ap' in entry and '40.6' in entry


def test_an_editable_install_resolves_our_configs(tmp_path):
    """``pip install -e .``: the checkout's mmkd_ext/.mim links and the start-up hook."""
    python = fresh_venv_with(str(tmp_path / 'venv'), '--no-build-isolation', '-e', REPO_ROOT)
    work = str(tmp_path / 'work')
    os.makedirs(work)
    *model, package = parse_without_import(python, work)
    assert model == PAPER_MODEL and osp.samefile(package, osp.join(REPO_ROOT, 'mmkd_ext'))
