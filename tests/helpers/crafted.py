"""Crafted checkpoints, as an attacker would write them: one per attack on the loaders.

Each attack sits at ``checkpoint['meta']['payload']`` of an otherwise ordinary runner checkpoint,
so every loader reaches it. ``write_attack(name, path, marker)`` writes one; ``marker`` is the
file a payload that runs code would create.
"""
import copyreg
import os
import pickle
import struct
import sys
from typing import Dict

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

try:
    from numpy._core import multiarray  # numpy >= 2
except ImportError:
    from numpy.core import multiarray

PAYLOAD_PATH = "checkpoint['meta']['payload']"
# numpy's flags of an object dtype (63) less NPY_LIST_PICKLE (2): "holds objects", but its
# pickled data is taken as raw bytes instead of a list of objects.
NO_LIST_PICKLE = 63 & ~2


class Reduces:
    """Pickles as ``func(*args)`` (then BUILD ``state``): any reduce a file may hold."""

    def __init__(self, *reduce) -> None:
        self.reduce = reduce

    def __reduce__(self):
        return self.reduce


def forged_dtype(spec: str, flags: int, fields=None, names=None, size=-1) -> Reduces:
    """``numpy.dtype(spec, False, True)`` followed by BUILD with a hand-written state."""
    return Reduces(np.dtype, (spec, False, True), (3, '|', None, names, fields, size, -1, flags))


def forged_array(dtype, shape, raw) -> Reduces:
    """``_reconstruct(ndarray, (0,), b'b')`` followed by BUILD ``(1, shape, dtype, False, raw)``."""
    return Reduces(multiarray._reconstruct, (np.ndarray, (0,), b'b'), (1, shape, dtype, False, raw))


def _addresses() -> bytes:
    """Two made-up object addresses: numpy would dereference them as PyObject pointers."""
    return struct.pack('<QQ', 0x4141414141414141, 0x4242424242424242)


def _runner_checkpoint(payload, config=None) -> dict:
    meta = {'epoch': 0, 'iter': 0, 'payload': payload}
    if config is not None:
        meta['config'] = config
    hub = {'log_scalars': {}, 'runtime_info': {}, 'resumed_keys': {}}
    return {'meta': meta, 'state_dict': {'w': torch.zeros(2)}, 'message_hub': hub}


def _history_buffer(with_state: bool = True, **extra) -> HistoryBuffer:
    """A HistoryBuffer of [1, 5, 9] that pickles with ``extra`` in its state (or no state)."""
    buffer = HistoryBuffer([1.0, 5.0, 9.0], [1, 1, 1])
    state = dict(max_length=buffer.max_length, _log_history=buffer._log_history,
                 _count_history=buffer._count_history, **extra)
    reduce = (copyreg.__newobj__, (HistoryBuffer,)) + ((state, ) if with_state else ())
    # An instance attribute: pickle looks __reduce_ex__ up on the object, the class stays stock.
    buffer.__reduce_ex__ = lambda protocol: reduce
    return buffer


def history_buffer_without_state() -> dict:
    """A runner checkpoint whose HistoryBuffer is created but never given its state."""
    return _runner_checkpoint(_history_buffer(with_state=False))


# name -> (payload builder(marker), what the error must name)
ATTACKS: Dict[str, tuple] = {
    # Already refused before mmkd_ext's fixes: must stay refused, naming what.
    'reduce-payload': (lambda m: Reduces(os.system, (f'touch {m}',)), 'system'),
    'rebuild-from-type-v2-system': (
        lambda m: Reduces(torch._tensor._rebuild_from_type_v2,
                          (os.system, torch.Tensor, (f'touch {m}',), {})), 'system'),
    'getattr-other-attribute': (lambda m: Reduces(getattr, (HistoryBuffer, 'update')), 'getattr'),
    'bytes-with-arguments': (lambda m: Reduces(bytes, (1 << 40,)), 'bytes(...)'),
    # numpy: object pointers from raw bytes, and ways to reach numpy with arbitrary arguments.
    'object-array-from-bytes': (
        # A float64 dtype re-BUILT into a record holding an object, without numpy's list-pickle
        # flag: numpy then takes the raw bytes as the object's address.
        lambda m: forged_array(
            forged_dtype('f8', flags=NO_LIST_PICKLE, names=('a',),
                         fields={'a': (Reduces(np.dtype, ('O8', False, True)), 0)}),
            (2,), _addresses()), "'O8' (object)"),
    'object-dtype-without-list-pickle': (
        lambda m: forged_array(forged_dtype('O8', flags=NO_LIST_PICKLE), (2,), _addresses()),
        "'O8' (object)"),
    'float-dtype-flagged-as-object': (
        lambda m: forged_array(forged_dtype('f8', flags=63), (1,), [12345]), 'numpy array'),
    'structured-dtype-with-objects': (
        lambda m: forged_array(
            forged_dtype('V16', flags=NO_LIST_PICKLE, names=('a', 'b'), size=16,
                         fields={'a': (np.dtype('O'), 0), 'b': (np.dtype('O'), 8)}),
            (1,), _addresses()), "'V16' (void/structured)"),
    'ndarray-called-with-arguments': (
        lambda m: Reduces(np.ndarray, ((2,), 'O')), 'numpy.ndarray(...)'),
    'object-scalar': (lambda m: Reduces(multiarray.scalar, (np.dtype('O'), 'x')), "'O8' (object)"),
    'array-size-mismatch': (
        lambda m: forged_array(np.dtype('f8'), (1 << 20,), b'\0' * 8), 'needs'),
    'rebuild-from-type-v2-array': (
        lambda m: Reduces(torch._tensor._rebuild_from_type_v2,
                          (multiarray._reconstruct, np.ndarray, (np.ndarray, (0,), b'b'),
                           (1, (2,), forged_dtype('O8', flags=NO_LIST_PICKLE), False,
                            _addresses()))),
        "'O8' (object)"),
    'refused-value-passed-to-torch': (
        lambda m: Reduces(torch._utils._rebuild_device_tensor_from_numpy,
                          (Reduces(np.ndarray, ((2,), 'O')), torch.float32, 'cpu', False)),
        'numpy.ndarray(...)'),
    # HistoryBuffer: statistics methods from the file must not reach the class-wide table.
    'history-buffer-statistics': (
        lambda m: _history_buffer(statistics_methods={'mean': HistoryBuffer.max}),
        "statistics method 'mean'"),
    'history-buffer-called-with-arguments': (
        lambda m: Reduces(HistoryBuffer, ([1.0], [1])), 'HistoryBuffer(...)'),
}


def write_attack(name: str, path: str, marker: str) -> str:
    """Write crafted checkpoint ``name`` (a key of :data:`ATTACKS` or 'array-built-twice')."""
    if name == 'array-built-twice':
        _write_legacy(path, _array_built_twice())
    else:
        torch.save(_runner_checkpoint(ATTACKS[name][0](marker)), path)
    return path


def write_resume_config_attack(path: str, marker: str, base: dict = None,
                               gpu_ids: str = '') -> str:
    """A checkpoint whose ``meta['config']`` runs a command when executed as a config."""
    config = f"{gpu_ids}x = __import__('os').system('touch {marker}')\n"
    checkpoint = dict(base) if base is not None else _runner_checkpoint(None)
    checkpoint['meta'] = dict(checkpoint['meta'], config=config)
    checkpoint['meta'].pop('payload', None)
    torch.save(checkpoint, path)
    return path


REFUSED_NAMES = sorted(ATTACKS) + ['array-built-twice']
WHAT_IS_REFUSED: Dict[str, str] = {name: what for name, (_, what) in ATTACKS.items()}
WHAT_IS_REFUSED['array-built-twice'] = 'builds the same array twice'
# Attacks whose refusal happens on an object the checkpoint holds, so the key path is named.
WITH_KEY_PATH = {n for n in REFUSED_NAMES if n not in (
    'reduce-payload', 'rebuild-from-type-v2-system', 'refused-value-passed-to-torch')}


# ---------------------------------------------------------------- hand-written pickle stream

def _array_built_twice() -> bytes:
    """An array A, a tensor made from A's memory, then BUILD on A again (frees that memory).

    No pickler writes a second BUILD on one object, so the protocol-2 stream is assembled here:
    ``{'meta': {'payload': [A, torch._utils._rebuild_device_tensor_from_numpy(A, ...), A']}}``.
    """
    module = multiarray.__name__
    out = bytearray(b'\x80\x02')

    def glob(mod: str, name: str) -> None:
        out.extend(b'c%s\n%s\n' % (mod.encode(), name.encode()))

    def text(s: str) -> None:
        data = s.encode()
        out.extend(b'X' + struct.pack('<I', len(data)) + data)

    def raw_bytes(b: bytes) -> None:  # protocol 2 writes bytes as _codecs.encode(str, 'latin1')
        glob('_codecs', 'encode')
        text(b.decode('latin1'))
        text('latin1')
        out.extend(b'\x86R')  # TUPLE2 REDUCE

    def f8_dtype() -> None:
        glob('numpy', 'dtype')
        text('f8')
        out.extend(b'\x89\x88\x87R')  # False True TUPLE3 REDUCE
        out.extend(b'(K\x03X\x01\x00\x00\x00<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb')

    def array_state(count: int) -> None:
        out.extend(b'(K\x01J' + struct.pack('<i', count) + b'\x85')  # MARK 1 (count,)
        f8_dtype()
        out.extend(b'\x89')
        raw_bytes(b'\0' * (8 * count))
        out.extend(b'tb')  # TUPLE BUILD

    out.extend(b'}(X\x04\x00\x00\x00meta}(X\x07\x00\x00\x00payload](')
    glob(module, '_reconstruct')
    glob('numpy', 'ndarray')
    out.extend(b'K\x00\x85')
    raw_bytes(b'b')
    out.extend(b'\x87Rq\x01')  # TUPLE3 REDUCE BINPUT 1
    array_state(4096)
    glob('torch._utils', '_rebuild_device_tensor_from_numpy')
    out.extend(b'(h\x01')
    glob('torch', 'float64')
    text('cpu')
    out.extend(b'\x89tR')
    out.extend(b'h\x01')  # A again, BUILT a second time
    array_state(1)
    out.extend(b'eu')  # APPENDS, SETITEMS (payload)
    out.extend(b'u.')  # SETITEMS (meta), STOP
    return bytes(out)


def _write_legacy(path: str, payload: bytes) -> None:
    """torch's legacy (non-zip) format around a hand-written pickle, with no storages."""
    from torch.serialization import MAGIC_NUMBER, PROTOCOL_VERSION
    sys_info = dict(protocol_version=PROTOCOL_VERSION, little_endian=sys.byteorder == 'little',
                    type_sizes=dict(short=2, int=4, long=4))
    with open(path, 'wb') as f:
        for header in (MAGIC_NUMBER, PROTOCOL_VERSION, sys_info):
            pickle.dump(header, f, protocol=2)
        f.write(payload)
        pickle.dump([], f, protocol=2)

