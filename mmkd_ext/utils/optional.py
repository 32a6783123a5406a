"""Import parts of mmkd_ext that depend on a toolbox only when that toolbox is installed."""
import importlib
import importlib.util


def import_if_available(module: str, requires: str) -> bool:
    """Import ``module`` if the package ``requires`` is installed; return whether it was imported.

    An ImportError raised *inside* ``module`` (a real bug) is not hidden.
    """
    if importlib.util.find_spec(requires) is None:
        return False
    importlib.import_module(module)
    return True
