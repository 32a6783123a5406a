"""Content digests: which file, or which weights, a result was computed from."""
import hashlib
from typing import Any, Mapping, Union

import torch
import torch.nn as nn
from torch import Tensor


def file_digest(path: str, length: int = 16) -> str:
    """SHA-256 of a file's bytes, as the first ``length`` hex characters.

    Args:
        path (str): A local file (e.g. the teacher checkpoint).
        length (int): Number of hex characters kept. Defaults to 16.

    Returns:
        str: The digest prefix.
    """
    hasher = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            hasher.update(block)
    return hasher.hexdigest()[:length]


def state_dict_digest(model_or_state: Union[nn.Module, Mapping[str, Any]], length: int = 16) -> str:
    """SHA-256 over a state dict's tensors (names, dtypes, shapes and bytes, in sorted name order).

    Used when the teacher has no local checkpoint file. Non-tensor entries are ignored. Note that BN
    running statistics are part of the state dict, so the teacher must be frozen in eval mode for the
    digest to stay stable.

    Args:
        model_or_state (nn.Module | Mapping): A module (its ``state_dict()`` is hashed) or a state dict.
        length (int): Number of hex characters kept. Defaults to 16.

    Returns:
        str: The digest prefix.
    """
    state = model_or_state.state_dict() if isinstance(model_or_state, nn.Module) else model_or_state
    hasher = hashlib.sha256()
    for name in sorted(state):
        value = state[name]
        if not isinstance(value, Tensor):
            continue
        flat = value.detach().cpu().contiguous().reshape(-1)
        hasher.update(f'{name}|{flat.dtype}|{tuple(value.shape)}|'.encode())
        # A byte view works for every dtype (bf16 included), unlike a detour through numpy dtypes.
        hasher.update(flat.view(torch.uint8).numpy().tobytes())
    return hasher.hexdigest()[:length]
