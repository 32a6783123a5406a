"""Validating stand-ins for the numpy names a checkpoint may use: plain numeric arrays only."""
import importlib
from typing import Any, Optional, Union

import numpy as np

from .refusals import RefusedValue, nested_refusal, refusal_count, refuse, refused_value

# numpy dtype strings (as ``np.dtype.__reduce__`` writes them) an array or scalar may have.
PLAIN_DTYPES = ('b1', 'i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8', 'f2', 'f4', 'f8', 'c8', 'c16')
_DTYPE_KINDS = {'O': 'object', 'V': 'void/structured', 'U': 'unicode string', 'S': 'byte string',
                'M': 'datetime', 'm': 'timedelta'}


def _describe_dtype(spec: Any) -> str:
    text = repr(spec)
    text = text if len(text) <= 60 else text[:57] + '...'
    kind = _DTYPE_KINDS.get(spec[:1]) if isinstance(spec, str) else 'structured'
    return f'{text} ({kind})' if kind else text


def numpy_dtype(*args: Any) -> Union[np.dtype, RefusedValue]:
    """Stand-in for ``numpy.dtype``: only the builtin plain numeric/bool dtypes.

    The builtin descriptor is returned even for numpy's ``copy=True``: numpy ignores the state
    that the pickle then BUILDs onto a builtin descriptor, so a file cannot set its flags (a float
    dtype flagged as holding objects makes numpy treat the data as pointers). Byte order in that
    state is ignored too: arrays are read in native order, like every checkpoint written on the
    little-endian machines that train these models.
    """
    spec = args[0] if args else None
    flags = args[1:]  # numpy writes (spec, align=False, copy=True)
    if len(flags) <= 2 and isinstance(spec, str) and spec in PLAIN_DTYPES \
            and all(isinstance(f, bool) for f in flags) and not (flags and flags[0]):
        return np.dtype(spec)
    return refused_value(f'numpy dtype {_describe_dtype(spec)}: numpy arrays and scalars in a '
                          f'checkpoint may hold bool, integer, float or complex numbers only')


_PLAIN_DTYPE_OBJECTS = {id(np.dtype(code)): np.dtype(code) for code in PLAIN_DTYPES}


def plain_dtype(obj: Any) -> bool:
    return _PLAIN_DTYPE_OBJECTS.get(id(obj)) is obj


def dtype_reason(dtype: Any) -> str:
    if isinstance(dtype, RefusedValue):
        return dtype.reason
    return f'numpy dtype {type(dtype).__name__} that is not a plain numeric/bool numpy dtype'


class LoadedArray(np.ndarray):
    """What the name ``numpy.ndarray`` stands for while loading: validated, built once.

    numpy pickles an array as ``_reconstruct(ndarray, (0,), b'b')`` followed by BUILD with
    ``(version, shape, dtype, fortran, raw bytes)``. This class checks that state before numpy
    sees it and refuses a second BUILD (re-building an array frees memory a tensor made from it
    may still point at). :func:`load_checkpoint_file` hands out plain ``np.ndarray`` views; a
    direct ``torch.load`` returns these, which behave and pickle as plain arrays.
    """

    def __new__(cls, *args, **kwargs) -> Any:
        return refused_value('numpy.ndarray(...) called with arguments from the file')

    def __setstate__(self, state: Any) -> None:
        reason = self._state_problem(state)
        if reason is not None:
            refuse(self, f'numpy array: {reason}')
            return
        super().__setstate__(state)
        self.__dict__['_mmkd_ext_built'] = True

    def _state_problem(self, state: Any) -> Optional[str]:
        if self.__dict__.get('_mmkd_ext_built'):
            return 'the file builds the same array twice'
        nested = nested_refusal(self)
        if nested is not None:
            return nested
        if not (isinstance(state, tuple) and len(state) == 5):
            return f'unexpected pickled state {type(state).__name__}'
        version, shape, dtype, fortran, raw = state
        if not plain_dtype(dtype):
            return dtype_reason(dtype)
        if not (isinstance(shape, tuple) and len(shape) <= 32
                and all(type(n) is int and n >= 0 for n in shape)):
            return f'malformed shape {shape!r}'[:120]
        if version != 1 or not isinstance(fortran, bool):
            return f'unknown pickle version {version!r} or order flag {fortran!r}'[:120]
        if not isinstance(raw, bytes):
            return f'its data is a {type(raw).__name__}, numeric arrays pickle bytes'
        size = dtype.itemsize
        for n in shape:
            size *= n
        if size != len(raw):
            return f'shape {shape} of {dtype} needs {size} bytes, the file gives {len(raw)}'
        return None

    def __reduce__(self) -> Any:
        return self.view(np.ndarray).__reduce__()

    def __reduce_ex__(self, protocol: int) -> Any:
        return self.view(np.ndarray).__reduce_ex__(protocol)


try:
    _multiarray = importlib.import_module('numpy._core.multiarray')  # numpy >= 2
except ImportError:
    _multiarray = importlib.import_module('numpy.core.multiarray')


def reconstruct_array(*args: Any) -> Any:
    """Stand-in for ``numpy.core.multiarray._reconstruct``: exactly what numpy's pickles call."""
    if len(args) == 3 and args[0] is LoadedArray and args[1] == (0,) and args[2] == b'b':
        array = _multiarray._reconstruct(LoadedArray, (0,), b'b')
        array.__dict__['_mmkd_ext_created_at'] = refusal_count()
        return array
    return refused_value('numpy _reconstruct called with arguments numpy never writes')


def numpy_scalar(*args: Any) -> Any:
    """Stand-in for ``numpy.core.multiarray.scalar``: a plain dtype and exactly its bytes."""
    if len(args) == 2 and plain_dtype(args[0]) and isinstance(args[1], bytes) \
            and len(args[1]) == args[0].itemsize:
        return _multiarray.scalar(*args)
    reason = dtype_reason(args[0]) if args and not plain_dtype(args[0]) else 'malformed data'
    return refused_value(f'numpy scalar: {reason}')


def empty_bytes(*args: Any, **kwargs: Any) -> Any:
    """Stand-in for ``bytes``: protocol 2 pickles ``b''`` (an empty array's data) as bytes()."""
    if args or kwargs:
        return refused_value('bytes(...) called with arguments from the file')
    return b''
