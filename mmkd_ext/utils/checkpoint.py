"""Let torch >= 2.6 load MMEngine runner checkpoints with ``weights_only=True`` still on.

MMEngine's checkpoints carry a message hub (``HistoryBuffer`` objects holding numpy arrays) and
numpy scalars in ``meta``. torch's safe unpickler refuses those types by default, which breaks
``resume`` and ``load_from``. Instead of switching ``weights_only`` off (which would let a crafted
checkpoint run code), we allow-list exactly these data types; everything else stays refused.
"""
import importlib
import pickle
from typing import Callable, List

import numpy as np
import torch

STATISTICS_METHODS = ('min', 'max', 'current', 'mean')


def history_buffer_method(owner: type, name: str) -> Callable:
    """Stand-in for ``getattr`` while unpickling: only ``HistoryBuffer``'s statistics methods.

    ``HistoryBuffer`` pickles its statistics methods (``min``, ``max``, ``current``, ``mean``) as
    ``getattr(HistoryBuffer, name)`` and writes them back into a class-level registry on load.
    Allowing the real ``getattr`` would let a crafted checkpoint plant any reachable attribute
    there; this resolves exactly the methods MMEngine itself registers.
    """
    from mmengine.logging import HistoryBuffer
    if owner is HistoryBuffer and name in STATISTICS_METHODS:
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'The checkpoint asks for getattr({getattr(owner, "__name__", owner)!r}, {name!r}); '
        f'mmkd_ext allows only HistoryBuffer statistics methods {STATISTICS_METHODS}.')


def openmmlab_checkpoint_types() -> List[object]:
    """The classes and reconstructors that appear in MMEngine/OpenMMLab checkpoints."""
    from mmengine.logging import HistoryBuffer
    # numpy 2 moved numpy.core to numpy._core; checkpoints name the module of the numpy that
    # wrote them, so both spellings are registered and files move between numpy 1 and 2.
    try:
        multiarray = importlib.import_module('numpy._core.multiarray')  # numpy >= 2
    except ImportError:
        multiarray = importlib.import_module('numpy.core.multiarray')
    reconstructors = [(getattr(multiarray, fn), f'{module}.multiarray.{fn}')
                      for fn in ('_reconstruct', 'scalar')
                      for module in ('numpy.core', 'numpy._core')]
    numpy_dtypes = [type(np.dtype(t)) for t in (
        np.float64, np.float32, np.float16, np.int64, np.int32, np.int16, np.int8, np.uint8,
        np.bool_)]
    return [HistoryBuffer, *reconstructors, np.ndarray, np.dtype, *numpy_dtypes,
            (history_buffer_method, 'builtins.getattr')]


def allow_openmmlab_checkpoint_types() -> None:
    """Register :func:`openmmlab_checkpoint_types` as safe globals (no-op on torch < 2.4)."""
    add_safe_globals = getattr(torch.serialization, 'add_safe_globals', None)
    if add_safe_globals is not None:
        add_safe_globals(openmmlab_checkpoint_types())
