"""Teach MMEngine the ``mmkd_ext::`` config prefix in every Python where mmkd_ext is installed.

MMEngine accepts ``pkg::path`` only for the packages in its table ``MODULE2PACKAGE``, to which
importing ``mmkd_ext`` adds us (``mmkd_ext/registry.py``). A config that inherits ``mmkd_ext::``
is parsed before its ``custom_imports`` run, so a script that calls ``Config.fromfile`` first, or a
toolbox's own ``tools/train.py``, would not know the prefix. The installed
``mmkd_ext_startup.pth`` (wheel and editable install, setup.py) calls :func:`install` at
interpreter start-up. It imports nothing: the entry is added when MMEngine itself imports
``mmengine.config.utils``.
"""
import importlib.util
import sys
from importlib.abc import MetaPathFinder
from types import ModuleType

TARGET = 'mmengine.config.utils'
#: An importable module of mmkd_ext that is no distribution's name (see mmkd_ext/registry.py).
PACKAGE = 'mmkd_ext.registry'


def _add_entry(module: ModuleType) -> None:
    module.MODULE2PACKAGE.setdefault('mmkd_ext', PACKAGE)


class _AddEntryAfterImport(MetaPathFinder):
    """Finds nothing itself: wraps the loader of :data:`TARGET` to add our entry once it ran."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != TARGET:
            return None
        sys.meta_path.remove(self)  # once: the real finders locate the module
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_add_entry(module: ModuleType) -> None:
            exec_module(module)
            _add_entry(module)

        spec.loader.exec_module = exec_and_add_entry
        return spec


def install() -> None:
    """Add the entry now if MMEngine's config utilities are loaded, else when they are."""
    if TARGET in sys.modules:
        _add_entry(sys.modules[TARGET])
    elif not any(isinstance(finder, _AddEntryAfterImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AddEntryAfterImport())
