"""A validating stand-in for MMEngine's ``HistoryBuffer``, the one class a runner checkpoint holds."""
from typing import Any, Optional

import numpy as np
from mmengine.logging import HistoryBuffer

from .numpy_types import plain_dtype
from .refusals import nested_refusal, refusal_count, refuse, refused_value

STATISTICS_METHODS = ('min', 'max', 'current', 'mean')


class LoadedHistoryBuffer(HistoryBuffer):
    """What the name ``HistoryBuffer`` stands for while loading.

    MMEngine's own ``__setstate__`` copies the file's ``statistics_methods`` into the class-wide
    table, so a file could make ``mean`` return the maximum everywhere. This one checks the state
    (numeric 1-D histories, an int ``max_length``, only the stock methods under their own names),
    never touches the table, and then turns the object into a plain ``HistoryBuffer``.
    """

    def __new__(cls, *args, **kwargs) -> 'LoadedHistoryBuffer':
        buffer = super().__new__(cls)
        buffer.__dict__['_mmkd_ext_created_at'] = refusal_count()
        return buffer

    def __init__(self, *args, **kwargs) -> None:
        refuse(self, 'HistoryBuffer(...) called with arguments from the file')

    def __setstate__(self, state: Any) -> None:
        reason = nested_refusal(self) or _history_state_problem(state)
        if reason is not None:
            refuse(self, f'HistoryBuffer: {reason}')
            return
        self.max_length = state['max_length']
        self._log_history = np.array(state['_log_history'])
        self._count_history = np.array(state['_count_history'])
        self._set_default_statistics()
        self.__class__ = HistoryBuffer


def _history_state_problem(state: Any) -> Optional[str]:
    required = {'max_length', '_log_history', '_count_history'}
    allowed = required | {'statistics_methods'}
    if not isinstance(state, dict) or not required <= set(state) <= allowed:
        keys = sorted(map(repr, state)) if isinstance(state, dict) else type(state).__name__
        return f'unexpected pickled state {keys}'
    if type(state['max_length']) is not int or state['max_length'] <= 0:
        return f'max_length {state["max_length"]!r} is not a positive int'
    histories = [state['_log_history'], state['_count_history']]
    for history in histories:
        if not isinstance(history, np.ndarray) or not plain_dtype(history.dtype) \
                or history.ndim != 1:
            return 'its histories are not 1-D numeric numpy arrays'
    if len(histories[0]) != len(histories[1]):
        return 'its log and count histories differ in length'
    methods = state.get('statistics_methods', {})
    if not isinstance(methods, dict):
        return 'statistics_methods is not a dict'
    for name, method in methods.items():
        if name not in STATISTICS_METHODS or method is not getattr(HistoryBuffer, name):
            shown = getattr(method, '__qualname__', type(method).__name__)
            return (f'statistics method {name!r} -> {shown}; only the stock methods '
                    f'{STATISTICS_METHODS} under their own names are accepted')
    return None


def history_buffer_method(*args: Any) -> Any:
    """Stand-in for ``getattr``: pickle writes ``HistoryBuffer.mean`` as getattr(cls, 'mean').

    Only the stock statistics methods resolve; the real ``getattr`` would hand a file any
    attribute reachable from an allowed class.
    """
    if len(args) == 2 and args[0] is LoadedHistoryBuffer and args[1] in STATISTICS_METHODS:
        return getattr(HistoryBuffer, args[1])
    owner = args[0] if args else None
    owner = 'HistoryBuffer' if owner is LoadedHistoryBuffer else getattr(
        owner, '__name__', type(owner).__name__)
    name = args[1] if len(args) > 1 else None
    return refused_value(f'getattr({owner}, {name!r}): only HistoryBuffer\'s statistics methods '
                          f'{STATISTICS_METHODS} are allowed')
