"""Safe checkpoint loading: the one place where mmkd_ext reads ``.pth`` files.

A checkpoint from a stranger (a teacher, a student, a resume file, a download) must load as data:
running no code, corrupting no memory and changing no class-wide state. This module

* loads every file with torch's weights-only unpickler (``weights_only=True``, passed explicitly),
* allow-lists what MMEngine/OpenMMLab checkpoints hold beyond tensors, as stand-ins that validate
  their arguments: numpy arrays and scalars of bool/int/uint/float/complex dtypes only (object,
  string, void and structured dtypes are refused: numpy would build them from raw bytes, pointers
  included), MMEngine's ``HistoryBuffer`` (its statistics methods from a file are checked, never
  installed in the class-wide table), and the ``bytes()`` an empty array pickles,
* replaces MMEngine's checkpoint loaders (local files, URLs, ``torchvision://``, ``open-mmlab://``,
  ``mmcls://``, ``s3://``, ``pavi://``) by ones that download to the same cache as torch.hub and
  then load through :func:`load_checkpoint_file`,
* reduces ``meta['config']`` (which MMEngine's ``Runner.resume`` executes as a Python config) to
  the one setting resume reads, ``gpu_ids``, parsed without running anything.

A refusal raises :class:`UnsafeCheckpointError` naming the file, the key path inside it and what
was refused. Config files, unlike checkpoints, are Python and run by design.
"""
import contextvars
import importlib
import io
import os
import os.path as osp
import pickle
import re
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Union
from urllib.parse import urlparse

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

MIN_TORCH_VERSION = (2, 6)
STATISTICS_METHODS = ('min', 'max', 'current', 'mean')
# numpy dtype strings (as ``np.dtype.__reduce__`` writes them) an array or scalar may have.
PLAIN_DTYPES = ('b1', 'i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8', 'f2', 'f4', 'f8', 'c8', 'c16')
_DTYPE_KINDS = {'O': 'object', 'V': 'void/structured', 'U': 'unicode string', 'S': 'byte string',
                'M': 'datetime', 'm': 'timedelta'}
_ADVICE = ('mmkd_ext loads checkpoints as data only (weights_only=True with the types MMEngine '
           'checkpoints hold); this file asks for more. Do not load it with weights_only=False '
           'unless you trust whoever made it.')


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint asked for something the safe loader refuses (names file, key path, reason)."""


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


# While :func:`load_checkpoint_file` runs, refusals are collected here (object, reason) so that
# the whole file is read and the refused object's key path can be named; a plain
# ``torch.load(..., weights_only=True)`` outside it raises at the first refusal.
_refusals: contextvars.ContextVar = contextvars.ContextVar('mmkd_ext_refusals', default=None)


@contextmanager
def _collecting_refusals() -> Iterator[List[Tuple[Any, str]]]:
    collected: List[Tuple[Any, str]] = []
    token = _refusals.set(collected)
    try:
        yield collected
    finally:
        _refusals.reset(token)


def _refuse(obj: Any, reason: str) -> None:
    collected = _refusals.get()
    if collected is None:
        raise pickle.UnpicklingError(f'{reason}. {_ADVICE}')
    collected.append((obj, reason))


class RefusedValue:
    """What a refused reconstructor returns while :func:`load_checkpoint_file` collects refusals."""

    def __new__(cls, *args, **kwargs) -> 'RefusedValue':
        return _refused_value('mmkd_ext.utils.checkpoint.RefusedValue(...) called by the file')

    def __init__(self, *args, **kwargs) -> None:
        pass  # __new__ did the work; a file's arguments are ignored

    def __setstate__(self, state: Any) -> None:
        pass  # numpy's pickles BUILD their dtypes: state for a refused one is dropped


def _refusal_count() -> int:
    collected = _refusals.get()
    return 0 if collected is None else len(collected)


def _nested_refusal(obj: Any) -> Optional[str]:
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


def _refused_value(reason: str) -> RefusedValue:
    marker = object.__new__(RefusedValue)
    marker.reason = reason
    _refuse(marker, reason)
    return marker


def _describe_dtype(spec: Any) -> str:
    text = repr(spec)
    text = text if len(text) <= 60 else text[:57] + '...'
    kind = _DTYPE_KINDS.get(spec[:1]) if isinstance(spec, str) else 'structured'
    return f'{text} ({kind})' if kind else text


def _numpy_dtype(*args: Any) -> Union[np.dtype, RefusedValue]:
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
    return _refused_value(f'numpy dtype {_describe_dtype(spec)}: numpy arrays and scalars in a '
                          f'checkpoint may hold bool, integer, float or complex numbers only')


_PLAIN_DTYPE_OBJECTS = {id(np.dtype(code)): np.dtype(code) for code in PLAIN_DTYPES}


def _plain_dtype(obj: Any) -> bool:
    return _PLAIN_DTYPE_OBJECTS.get(id(obj)) is obj


def _dtype_reason(dtype: Any) -> str:
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
        return _refused_value('numpy.ndarray(...) called with arguments from the file')

    def __setstate__(self, state: Any) -> None:
        reason = self._state_problem(state)
        if reason is not None:
            _refuse(self, f'numpy array: {reason}')
            return
        super().__setstate__(state)
        self.__dict__['_mmkd_ext_built'] = True

    def _state_problem(self, state: Any) -> Optional[str]:
        if self.__dict__.get('_mmkd_ext_built'):
            return 'the file builds the same array twice'
        nested = _nested_refusal(self)
        if nested is not None:
            return nested
        if not (isinstance(state, tuple) and len(state) == 5):
            return f'unexpected pickled state {type(state).__name__}'
        version, shape, dtype, fortran, raw = state
        if not _plain_dtype(dtype):
            return _dtype_reason(dtype)
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


def _reconstruct_array(*args: Any) -> Any:
    """Stand-in for ``numpy.core.multiarray._reconstruct``: exactly what numpy's pickles call."""
    if len(args) == 3 and args[0] is LoadedArray and args[1] == (0,) and args[2] == b'b':
        array = _multiarray._reconstruct(LoadedArray, (0,), b'b')
        array.__dict__['_mmkd_ext_created_at'] = _refusal_count()
        return array
    return _refused_value('numpy _reconstruct called with arguments numpy never writes')


def _numpy_scalar(*args: Any) -> Any:
    """Stand-in for ``numpy.core.multiarray.scalar``: a plain dtype and exactly its bytes."""
    if len(args) == 2 and _plain_dtype(args[0]) and isinstance(args[1], bytes) \
            and len(args[1]) == args[0].itemsize:
        return _multiarray.scalar(*args)
    reason = _dtype_reason(args[0]) if args and not _plain_dtype(args[0]) else 'malformed data'
    return _refused_value(f'numpy scalar: {reason}')


def _empty_bytes(*args: Any, **kwargs: Any) -> Any:
    """Stand-in for ``bytes``: protocol 2 pickles ``b''`` (an empty array's data) as bytes()."""
    if args or kwargs:
        return _refused_value('bytes(...) called with arguments from the file')
    return b''


class LoadedHistoryBuffer(HistoryBuffer):
    """What the name ``HistoryBuffer`` stands for while loading.

    MMEngine's own ``__setstate__`` copies the file's ``statistics_methods`` into the class-wide
    table, so a file could make ``mean`` return the maximum everywhere. This one checks the state
    (numeric 1-D histories, an int ``max_length``, only the stock methods under their own names),
    never touches the table, and then turns the object into a plain ``HistoryBuffer``.
    """

    def __new__(cls, *args, **kwargs) -> 'LoadedHistoryBuffer':
        buffer = super().__new__(cls)
        buffer.__dict__['_mmkd_ext_created_at'] = _refusal_count()
        return buffer

    def __init__(self, *args, **kwargs) -> None:
        _refuse(self, 'HistoryBuffer(...) called with arguments from the file')

    def __setstate__(self, state: Any) -> None:
        reason = _nested_refusal(self) or _history_state_problem(state)
        if reason is not None:
            _refuse(self, f'HistoryBuffer: {reason}')
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
        if not isinstance(history, np.ndarray) or not _plain_dtype(history.dtype) \
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


def _history_buffer_method(*args: Any) -> Any:
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
    return _refused_value(f'getattr({owner}, {name!r}): only HistoryBuffer\'s statistics methods '
                          f'{STATISTICS_METHODS} are allowed')


def safe_globals() -> List[Union[Callable, Tuple[Callable, str]]]:
    """The allow-list: numpy's and MMEngine's checkpoint names mapped to validating stand-ins."""
    named: Dict[str, Callable] = {
        'numpy.ndarray': LoadedArray,
        'numpy.dtype': _numpy_dtype,
        'mmengine.logging.history_buffer.HistoryBuffer': LoadedHistoryBuffer,
        'builtins.getattr': _history_buffer_method,
        'builtins.bytes': _empty_bytes,
    }
    # numpy 2 renamed numpy.core to numpy._core; a file names the numpy that wrote it.
    for module in ('numpy.core', 'numpy._core'):
        named[f'{module}.multiarray._reconstruct'] = _reconstruct_array
        named[f'{module}.multiarray.scalar'] = _numpy_scalar
    # BUILD needs the type of what is built in the list: the builtin dtypes' classes (callable
    # with no argument only, giving the builtin dtype) and the refusal marker.
    build_only = [type(np.dtype(code)) for code in PLAIN_DTYPES] + [RefusedValue]
    return [(fn, name) for name, fn in named.items()] + build_only


def allow_openmmlab_checkpoint_types() -> None:
    """Register :func:`safe_globals` with torch's weights-only unpickler (process-wide)."""
    check_torch_version()
    torch.serialization.add_safe_globals(safe_globals())


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
    with _collecting_refusals() as collected:
        try:
            loaded = torch.load(file, map_location=map_location, weights_only=True)
        except pickle.UnpicklingError as error:
            raise UnsafeCheckpointError(
                f'{refused}: {_torch_refusal(str(error))}. {_ADVICE}') from None
        except Exception:
            if not collected:
                raise
            # A refused value reached a function that cannot take it (e.g. torch.from_numpy).
            raise UnsafeCheckpointError(f'{refused}: {collected[0][1]}. {_ADVICE}') from None
    walk = _Walk({id(obj): reason for obj, reason in collected})
    try:
        loaded = walk.visit(loaded, ('checkpoint', ))
    except RecursionError:
        raise UnsafeCheckpointError(f'{refused}: nested too deeply. {_ADVICE}') from None
    if collected or walk.found:
        where, reason = (f'at {walk.found[0][0]}', walk.found[0][1]) if walk.found else (
            'inside the pickled state of another object (no key path)', collected[0][1])
        raise UnsafeCheckpointError(f'{refused}: {where}: {reason}. {_ADVICE}')
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


# --------------------------------------------------------------------------- MMEngine's loaders

# A top-level ``gpu_ids = `` list or tuple of ints, or range(...) of ints, alone on its line(s).
_GPU_IDS = re.compile(r'^gpu_ids\s*=\s*(\[[\d,\s]*\]|\([\d,\s]*\)'
                      r'|range\(\s*\d+\s*(?:,\s*\d+\s*){0,2}\))[ \t]*$', re.M)


def resume_config_text(config: Any) -> Optional[str]:
    """What MMEngine's resume may execute of ``meta['config']``: ``gpu_ids`` alone, re-written.

    ``Runner.resume`` runs ``meta['config']`` (the config text of mmcv-1.x-era checkpoints; MMEngine
    itself saves ``meta['cfg']``) through ``Config.fromstring`` only to compare the number of GPUs
    in ``gpu_ids`` with the current world size. The assignment is found by a pattern (a list or
    tuple of ints, or ``range(...)`` of ints, at the top level), never by running the text.

    Returns:
        str | None: ``'gpu_ids = range(N)'`` with the recorded count, or None when the text has
        no such assignment (resume then skips the GPU-count check, as for MMEngine's own files).
    """
    matches = _GPU_IDS.findall(config) if isinstance(config, str) else []
    if not matches:
        return None
    value = matches[-1]  # the last assignment wins, as when Python runs the file
    if value.startswith('range'):
        try:
            count = len(range(*(int(n) for n in re.findall(r'\d+', value))))
        except (ValueError, OverflowError):
            return None
    else:
        count = len(re.findall(r'\d+', value))
    return f'gpu_ids = range({count})\n'


def _for_mmengine(checkpoint: Any) -> Any:
    """Reduce ``meta['config']`` to :func:`resume_config_text` before MMEngine sees it."""
    meta = checkpoint.get('meta') if isinstance(checkpoint, dict) else None
    if isinstance(meta, dict) and 'config' in meta:
        text = resume_config_text(meta['config'])
        if text is None:
            del meta['config']
        else:
            meta['config'] = text
    return checkpoint


def _load_from_local(filename: str, map_location: Any = None) -> Any:
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return load_checkpoint_file(filename, map_location)


def _download(url: str, model_dir: Optional[str] = None, progress: bool = True) -> str:
    """Download ``url`` into torch.hub's checkpoint cache (reused when present); return the path."""
    model_dir = model_dir or osp.join(torch.hub.get_dir(), 'checkpoints')
    os.makedirs(model_dir, exist_ok=True)
    cached = osp.join(model_dir, osp.basename(urlparse(url).path))
    if not osp.exists(cached):
        torch.hub.download_url_to_file(url, cached, None, progress=progress)
    return cached


def _load_from_http(url: str, map_location: Any = None, model_dir: Optional[str] = None,
                    progress: bool = os.isatty(0)) -> Any:
    """As MMEngine: local rank 0 downloads first; then every rank loads the cached file."""
    from mmengine.dist import get_dist_info
    rank, world_size = get_dist_info()
    if rank == 0:
        cached = _download(url, model_dir, progress)
    if world_size > 1:
        torch.distributed.barrier()
        if rank > 0:
            cached = _download(url, model_dir, progress)
    return load_checkpoint_file(cached, map_location, source=f'{url} (cached as {cached})')


def _name_after_scheme(filename: str) -> str:
    return filename.split('://', 1)[1]


def _load_from_torchvision(filename: str, map_location: Any = None) -> Any:
    from mmengine.runner.checkpoint import get_torchvision_models
    return _load_from_http(get_torchvision_models()[_name_after_scheme(filename)], map_location)


def _load_from_openmmlab(filename: str, map_location: Any = None) -> Any:
    from mmengine.runner import checkpoint as mm_checkpoint
    name = _name_after_scheme(filename)
    name = mm_checkpoint.get_deprecated_model_names().get(name, name)
    url = mm_checkpoint.get_external_models()[name]
    if url.startswith(('http://', 'https://')):
        return _load_from_http(url, map_location)
    return _load_from_local(osp.join(mm_checkpoint._get_mmengine_home(), url), map_location)


def _load_from_mmcls(filename: str, map_location: Any = None) -> Any:
    from mmengine.runner import checkpoint as mm_checkpoint
    checkpoint = _load_from_http(
        mm_checkpoint.get_mmcls_models()[_name_after_scheme(filename)], map_location)
    return mm_checkpoint._process_mmcls_checkpoint(checkpoint)


def _load_from_ceph(filename: str, map_location: Any = None) -> Any:
    from mmengine.fileio import get_file_backend
    backend = get_file_backend(filename, backend_args={'backend': 'petrel'})
    with io.BytesIO(backend.get(filename)) as buffer:
        return load_checkpoint_file(buffer, map_location, source=filename)


def _load_from_pavi(filename: str, map_location: Any = None) -> Any:
    import tempfile
    try:
        from pavi import modelcloud
    except ImportError:
        raise ImportError('Please install pavi to load checkpoint from modelcloud.')
    model = modelcloud.get(filename[len('pavi://'):])
    with tempfile.TemporaryDirectory() as tmp_dir:
        downloaded = osp.join(tmp_dir, model.name)
        model.download(downloaded)
        return load_checkpoint_file(downloaded, map_location, source=filename)


def _mmengine_loader(load: Callable) -> Callable:

    def loader(filename: str, map_location: Any = None) -> Any:
        return _for_mmengine(load(filename, map_location))

    # MMEngine logs 'Loads checkpoint by <name[10:]> backend': keep its names.
    loader.__name__ = 'load_from_' + load.__name__[len('_load_from_'):]
    return loader


# The prefixes MMEngine registers, with the loaders that replace its own.
SCHEMES = {
    '': _load_from_local,
    ('http://', 'https://'): _load_from_http,
    ('modelzoo://', 'torchvision://'): _load_from_torchvision,
    ('open-mmlab://', 'openmmlab://'): _load_from_openmmlab,
    'mmcls://': _load_from_mmcls,
    (r'(\S+\:)?s3://', r'(\S+\:)?petrel://'): _load_from_ceph,
    'pavi://': _load_from_pavi,
}


def use_safe_checkpoint_loaders() -> None:
    """Make MMEngine's ``CheckpointLoader`` (load_from, resume, init_cfg, inference APIs) safe."""
    from mmengine.runner.checkpoint import CheckpointLoader
    for prefixes, load in SCHEMES.items():
        CheckpointLoader.register_scheme(prefixes, _mmengine_loader(load), force=True)


def install_safe_checkpoint_loading() -> None:
    """Everything above, once per process (``import mmkd_ext`` calls it)."""
    allow_openmmlab_checkpoint_types()
    use_safe_checkpoint_loaders()

