"""Shared fixtures: one small toy data set per session, and a workspace that sees it."""
import os

import pytest


@pytest.fixture(scope='session')
def toy_data(tmp_path_factory) -> str:
    """A small toy data set (detection, segmentation, classification) generated once."""
    from mmkd_ext.datasets import make_toy_data
    root = str(tmp_path_factory.mktemp('toy') / 'toy')
    make_toy_data(root, num_train=16, num_val=8, verbose=False)
    return root


@pytest.fixture
def in_toy_workspace(tmp_path, toy_data, monkeypatch) -> str:
    """Run the test inside a fresh folder where the configs' relative ``data/toy/`` exists."""
    os.makedirs(tmp_path / 'data')
    os.symlink(toy_data, tmp_path / 'data' / 'toy')
    monkeypatch.chdir(tmp_path)
    return str(tmp_path)
