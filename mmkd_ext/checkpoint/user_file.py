"""Reading a checkpoint a user named: every way a file can fail becomes one message naming it.

torch reports a file that is not a checkpoint in as many ways as there are contents: a text file
renamed ``.pth`` gives ``IndexError``, ``KeyError`` or an unpickling error about an operand,
a truncated zip ``PytorchStreamReader failed reading zip archive``. :func:`read_checkpoint` turns
each into "cannot be read as a checkpoint", keeps the safe loader's refusal of a real checkpoint
that asks for more than data, and says which file and which setting is at fault.
"""
import os.path as osp
import pickle
import zipfile
from typing import Any, Dict, Optional

from torch.serialization import MAGIC_NUMBER

from ..utils.errors import InputError, InputFileNotFoundError, unreadable_checkpoint
from .loader import load_checkpoint_file
from .refusals import UnsafeCheckpointError


class UnreadableCheckpointError(InputError):
    """A file that cannot be read as a checkpoint at all (not one the safe loader refuses)."""


#: How torch's legacy (non-zip) format starts: its magic number, pickled.
LEGACY_HEADS = tuple(pickle.dumps(MAGIC_NUMBER, protocol=p) for p in range(2, 6))


def checkpoint_format_problem(path: str) -> Optional[str]:
    """Why ``path`` is not a PyTorch checkpoint by its format alone, or None when it may be one.

    torch writes a zip archive (since 1.6) or, in the legacy format, a pickled magic number
    followed by pickles. A truncated zip has lost its central directory, which is at its end.
    """
    with open(path, 'rb') as f:
        head = f.read(max(map(len, LEGACY_HEADS)))
    if not head:
        return 'the file is empty'
    if head.startswith(b'PK'):
        return None if zipfile.is_zipfile(path) else \
            'it is an incomplete zip archive (the end of the file is missing)'
    if head.startswith(LEGACY_HEADS):
        return None
    return (f'it is neither a zip archive nor torch\'s legacy format (it starts with '
            f'{head[:8]!r})')


def read_checkpoint(path: str, what: str, map_location: Any = 'cpu') -> Any:
    """Load a local checkpoint file that a config key or the command line names.

    Args:
        path (str): The file.
        what (str): Which checkpoint and where it is set, e.g.
            ``'Teacher checkpoint (model.teacher.checkpoint)'``; starts every message.
        map_location: As for :func:`torch.load`.

    Returns:
        The loaded checkpoint.

    Raises:
        InputFileNotFoundError: The file does not exist.
        UnreadableCheckpointError: It cannot be read as a checkpoint (truncated, empty, not a
            checkpoint at all).
        InputError: The safe loader refuses what it holds.
    """
    if not osp.isfile(path):
        raise InputFileNotFoundError(f'{what} "{path}" does not exist: give the path of an '
                                     f'existing checkpoint file.')
    problem = checkpoint_format_problem(path)
    if problem is not None:
        raise UnreadableCheckpointError(str(unreadable_checkpoint(path, problem, what)))
    try:
        return load_checkpoint_file(path, map_location)
    except UnsafeCheckpointError as err:
        raise InputError(f'{what}: {err}') from None
    except Exception as err:  # noqa: BLE001 - whatever torch raises, the file is the problem
        raise UnreadableCheckpointError(str(unreadable_checkpoint(path, err, what))) from None


def state_dict_of(checkpoint: Any) -> Dict[str, Any]:
    """The weights of a loaded checkpoint (``state_dict`` or the dict itself), without ``module.``."""
    state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else {}
    if not isinstance(state, dict):
        return {}
    return {(k[len('module.'):] if isinstance(k, str) and k.startswith('module.') else k): v
            for k, v in state.items()}
