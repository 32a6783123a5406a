"""Refusals: what the safe loader says no to, collected while a file loads.

Inside :func:`~mmkd_ext.checkpoint.loader.load_checkpoint_file` a refusal is recorded instead of
raised, so that the whole file is read and the refused object's key path can be named; a plain
``torch.load(..., weights_only=True)`` outside it raises at the first refusal.
"""
import contextvars
import pickle
from contextlib import contextmanager
from typing import Any, Iterator, List, Optional, Tuple

ADVICE = ('mmkd_ext loads checkpoints as data only (weights_only=True with the types MMEngine '
          'checkpoints hold); this file asks for more. Do not load it with weights_only=False '
          'unless you trust whoever made it.')


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint asked for something the safe loader refuses (names file, key path, reason)."""



# While :func:`load_checkpoint_file` runs, refusals are collected here (object, reason) so that
# the whole file is read and the refused object's key path can be named; a plain
# ``torch.load(..., weights_only=True)`` outside it raises at the first refusal.
_refusals: contextvars.ContextVar = contextvars.ContextVar('mmkd_ext_refusals', default=None)


@contextmanager
def collecting_refusals() -> Iterator[List[Tuple[Any, str]]]:
    collected: List[Tuple[Any, str]] = []
    token = _refusals.set(collected)
    try:
        yield collected
    finally:
        _refusals.reset(token)


def refuse(obj: Any, reason: str) -> None:
    collected = _refusals.get()
    if collected is None:
        raise pickle.UnpicklingError(f'{reason}. {ADVICE}')
    collected.append((obj, reason))


class RefusedValue:
    """What a refused reconstructor returns while :func:`load_checkpoint_file` collects refusals."""

    def __new__(cls, *args, **kwargs) -> 'RefusedValue':
        return refused_value('mmkd_ext.checkpoint.refusals.RefusedValue(...) called by the file')

    def __init__(self, *args, **kwargs) -> None:
        pass  # __new__ did the work; a file's arguments are ignored

    def __setstate__(self, state: Any) -> None:
        pass  # numpy's pickles BUILD their dtypes: state for a refused one is dropped


def refusal_count() -> int:
    collected = _refusals.get()
    return 0 if collected is None else len(collected)


def nested_refusal(obj: Any) -> Optional[str]:
    """The first refusal since ``obj`` was created, i.e. one inside the state now BUILT onto it.

    Such a refused value (a dtype inside a dtype's state, a method inside a HistoryBuffer's) is
    nowhere in the loaded checkpoint, so the object holding it is refused in its place: that one
    has a key path.
    """
    collected = _refusals.get()
    since = obj.__dict__.pop('_mmkd_ext_created_at', 0)
    if collected is None or len(collected) <= since:
        return None
    return f'its pickled state holds {collected[since][1]}'


def refused_value(reason: str) -> RefusedValue:
    marker = object.__new__(RefusedValue)
    marker.reason = reason
    refuse(marker, reason)
    return marker
