"""The allow-list of torch's weights-only unpickler: checkpoint names mapped to stand-ins."""
import re
from typing import Callable, Dict, List, Tuple, Union

import numpy as np
import torch

from .history_buffer import LoadedHistoryBuffer, history_buffer_method
from .numpy_types import (PLAIN_DTYPES, LoadedArray, empty_bytes, numpy_dtype, numpy_scalar,
                          reconstruct_array)
from .refusals import RefusedValue

MIN_TORCH_VERSION = (2, 6)


def check_torch_version() -> None:
    """Refuse torch versions whose weights-only loader lacks what this module relies on.

    torch 2.6 is the first whose ``add_safe_globals`` takes ``(callable, 'module.name')`` pairs,
    which is how the validating stand-ins below take the place of numpy's and MMEngine's names.

    Raises:
        ImportError: On torch < 2.6.
    """
    found = tuple(int(p) for p in re.findall(r'\d+', torch.__version__)[:2])
    if found < MIN_TORCH_VERSION:
        raise ImportError(
            f'mmkd_ext needs torch >= {".".join(map(str, MIN_TORCH_VERSION))} (found '
            f'{torch.__version__}): it loads checkpoints with torch\'s weights-only unpickler and '
            f'named safe globals. Upgrade torch (and rebuild mmcv against it).')


def safe_globals() -> List[Union[Callable, Tuple[Callable, str]]]:
    """The allow-list: numpy's and MMEngine's checkpoint names mapped to validating stand-ins."""
    named: Dict[str, Callable] = {
        'numpy.ndarray': LoadedArray,
        'numpy.dtype': numpy_dtype,
        'mmengine.logging.history_buffer.HistoryBuffer': LoadedHistoryBuffer,
        'builtins.getattr': history_buffer_method,
        'builtins.bytes': empty_bytes,
    }
    # numpy 2 renamed numpy.core to numpy._core; a file names the numpy that wrote it.
    for module in ('numpy.core', 'numpy._core'):
        named[f'{module}.multiarray._reconstruct'] = reconstruct_array
        named[f'{module}.multiarray.scalar'] = numpy_scalar
    # BUILD needs the type of what is built in the list: the builtin dtypes' classes (callable
    # with no argument only, giving the builtin dtype) and the refusal marker.
    build_only = [type(np.dtype(code)) for code in PLAIN_DTYPES] + [RefusedValue]
    return [(fn, name) for name, fn in named.items()] + build_only


def allow_openmmlab_checkpoint_types() -> None:
    """Register :func:`safe_globals` with torch's weights-only unpickler (process-wide)."""
    check_torch_version()
    torch.serialization.add_safe_globals(safe_globals())
