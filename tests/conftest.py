"""Shared fixtures: one small toy data set per session, a workspace that sees it, and the toy
distillations of every toolbox; the `slow` marker."""
import os

import pytest


def pytest_configure(config) -> None:
    config.addinivalue_line(
        'markers', 'slow: trains through the tools or a Runner for seconds, or starts processes; '
        'left out by `bash scripts/test.sh --quick` (-m "not slow")')


def pytest_collection_modifyitems(config, items) -> None:
    """The session's trainings through tools/ (``trained``) are for slow tests only."""
    quick = [item.nodeid for item in items
             if 'trained' in getattr(item, 'fixturenames', ()) and not item.get_closest_marker('slow')]
    if quick:
        raise pytest.UsageError('mark these tests slow (they train through tools/): ' +
                                ', '.join(quick))


@pytest.fixture(scope='session')
def toy_data(tmp_path_factory) -> str:
    """A small toy data set (detection, segmentation, classification) generated once.

    16 training and 8 validation images per task (every class present; the classification
    defaults, 3000 + 1000 images, took seconds to write and to stream through a teacher).
    """
    from mmkd_ext.datasets import make_toy_data
    root = str(tmp_path_factory.mktemp('toy') / 'toy')
    make_toy_data(root, num_train=16, num_val=8, num_cls_train=16, num_cls_val=8, verbose=False)
    return root


@pytest.fixture
def in_toy_workspace(tmp_path, toy_data, monkeypatch) -> str:
    """Run the test inside a fresh folder where the configs' relative ``data/toy/`` exists."""
    os.makedirs(tmp_path / 'data')
    os.symlink(toy_data, tmp_path / 'data' / 'toy')
    monkeypatch.chdir(tmp_path)
    return str(tmp_path)


@pytest.fixture(scope='session')
def trained(tmp_path_factory, toy_data) -> dict:
    """Each toolbox's toy pair (helpers.runs.TOOLBOX_CONFIGS) distilled for 2 iterations through
    tools/train.py, once per session: ``{key: dict(work_dir, teacher, config)}``. Only tests marked
    ``slow`` may use it: ``--quick`` trains nothing through tools/.

    The runs, their checkpoints and student exports are shared by the tests of the tools, of the
    export and of the checkpoint loaders.
    """
    from helpers.runs import TOOLBOX_CONFIGS, save_random_teacher, toy_config, train
    root = tmp_path_factory.mktemp('runs')
    os.makedirs(root / 'data')
    os.symlink(toy_data, root / 'data' / 'toy')
    cwd = os.getcwd()
    os.chdir(root)
    runs = {}
    try:
        for key, name in TOOLBOX_CONFIGS.items():
            teacher = save_random_teacher(name, str(root / f'{key}_t.pth'))
            work_dir = str(root / key)
            train(toy_config(name), work_dir, [f'model.teacher.checkpoint={teacher}'])
            runs[key] = dict(work_dir=work_dir, teacher=teacher, config=toy_config(name))
    finally:
        os.chdir(cwd)
    return runs
