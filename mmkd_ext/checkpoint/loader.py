"""The one function that reads a ``.pth`` file: weights only, refusals named with their key path."""
import io
import pickle
import re
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

from .history_buffer import LoadedHistoryBuffer
from .numpy_types import LoadedArray
from .refusals import ADVICE, UnsafeCheckpointError, collecting_refusals


def _torch_refusal(message: str) -> str:
    """The core of torch's weights-only error, without its advice to switch weights_only off."""
    message = message.split('\n\nCheck the documentation')[0]
    found = re.search(r'WeightsUnpickler error:\s*(.*)', message, re.S)
    core = found.group(1) if found else message.split('\n\n')[-1]
    return core.split(' Please use `torch.serialization')[0].strip().rstrip('.')


def load_checkpoint_file(file: Union[str, io.IOBase],
                         map_location: Any = 'cpu',
                         source: Optional[str] = None) -> Any:
    """Load a checkpoint with ``weights_only=True`` and the validating allow-list.

    Args:
        file (str | file object): A path or an open binary file.
        map_location: As for :func:`torch.load`.
        source (str, optional): How to name the file in errors (default: the path).

    Returns:
        The checkpoint; numpy arrays in it are plain ``np.ndarray``.

    Raises:
        UnsafeCheckpointError: Naming the file, the key path and what was refused.
    """
    source = source or (file if isinstance(file, str) else getattr(file, 'name', '<buffer>'))
    refused = f'Refused to load checkpoint {source!r}'
    with collecting_refusals() as collected:
        try:
            loaded = torch.load(file, map_location=map_location, weights_only=True)
        except pickle.UnpicklingError as error:
            raise UnsafeCheckpointError(
                f'{refused}: {_torch_refusal(str(error))}. {ADVICE}') from None
        except Exception:
            if not collected:
                raise
            # A refused value reached a function that cannot take it (e.g. torch.from_numpy).
            raise UnsafeCheckpointError(f'{refused}: {collected[0][1]}. {ADVICE}') from None
    walk = _Walk({id(obj): reason for obj, reason in collected})
    try:
        loaded = walk.visit(loaded, ('checkpoint', ))
    except RecursionError:
        raise UnsafeCheckpointError(f'{refused}: nested too deeply. {ADVICE}') from None
    if collected or walk.found:
        where, reason = (f'at {walk.found[0][0]}', walk.found[0][1]) if walk.found else (
            'inside the pickled state of another object (no key path)', collected[0][1])
        raise UnsafeCheckpointError(f'{refused}: {where}: {reason}. {ADVICE}')
    return loaded


class _Walk:
    """One pass over a loaded checkpoint: key paths of refused objects, arrays made plain.

    A path is a chain ``(parent, step)`` rendered only for a refusal.
    """

    def __init__(self, refused: Dict[int, str]) -> None:
        self.refused = refused
        self.found: List[Tuple[str, str]] = []
        self.done: Dict[int, Any] = {}

    def _report(self, path: tuple, reason: str) -> None:
        steps = []
        while len(path) == 2:
            path, step = path
            steps.append(step)
        self.found.append((path[0] + ''.join(reversed(steps)), reason))

    def visit(self, obj: Any, path: tuple) -> Any:
        key = id(obj)
        if key in self.done:
            return self.done[key]
        self.done[key] = obj  # also ends cycles
        if key in self.refused:
            self._report(path, self.refused.pop(key))
        elif isinstance(obj, LoadedHistoryBuffer) or (
                isinstance(obj, LoadedArray) and not obj.__dict__.get('_mmkd_ext_built')):
            # Created by the file but never given a state (no BUILD): refused as well.
            self._report(path, f'{type(obj).__name__[len("Loaded"):]} without a state')
        if isinstance(obj, LoadedArray):
            self.done[key] = obj.view(np.ndarray)
        elif isinstance(obj, dict):
            for k, v in list(obj.items()):
                new = self.visit(v, (path, f'[{k!r}]'))
                if new is not v:
                    obj[k] = new
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                new = self.visit(v, (path, f'[{i}]'))
                if new is not v:
                    obj[i] = new
        elif isinstance(obj, tuple):
            items = [self.visit(v, (path, f'[{i}]')) for i, v in enumerate(obj)]
            if type(obj) is tuple and any(a is not b for a, b in zip(items, obj)):
                self.done[key] = tuple(items)
        elif isinstance(obj, (set, frozenset)):
            for v in obj:
                self.visit(v, (path, '{...}'))
        elif isinstance(obj, HistoryBuffer):
            for k, v in list(vars(obj).items()):
                setattr(obj, k, self.visit(v, (path, f'.{k}')))
        return self.done[key]
