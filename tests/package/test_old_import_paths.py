"""Import paths from before the re-layout keep working (users' scripts may use them)."""
import importlib
import subprocess
import sys

import pytest

import mmkd_ext


@pytest.mark.parametrize('old, new', sorted(mmkd_ext.MOVED_MODULES.items()))
def test_a_moved_module_is_found_under_its_old_name(old, new):
    assert importlib.import_module(old) is importlib.import_module(new)


@pytest.mark.parametrize('old', sorted(mmkd_ext.MOVED_NAMES))
def test_names_a_package_used_to_export_are_still_there(old):
    new, names = mmkd_ext.MOVED_NAMES[old]
    for name in names:
        assert getattr(importlib.import_module(old), name) is getattr(importlib.import_module(new),
                                                                      name)


@pytest.mark.slow  # a fresh interpreter imports the whole stack: seconds
def test_old_from_imports_work_in_a_fresh_interpreter():
    code = ('from mmkd_ext.utils.class_means import read_class_means\n'
            'from mmkd_ext.utils.export import export_student\n'
            'from mmkd_ext.losses import NDLoss\n'
            'from mmkd_ext.losses.nd_loss import nd_loss\n'
            'from mmkd_ext.hooks import ClassMeansHook\n'
            'from mmkd_ext.engine.class_means import find_nd_targets\n'
            'import mmkd_ext.nd as nd\n'
            'assert NDLoss is nd.NDLoss and find_nd_targets is nd.find_nd_targets\n')
    subprocess.run([sys.executable, '-c', code], check=True)
