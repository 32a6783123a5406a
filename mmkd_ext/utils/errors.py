"""Errors that report a user's mistake, and the checks shared by the places that raise them.

Every message says what is wrong, where (the config key or the file) and how to fix it. The tools
print such an error as one message, without a traceback (see :func:`run_tool_main`).
"""
import difflib
import math
import os
import os.path as osp
import sys
from typing import Any, Callable, Iterable, List, Sequence, Union


class UserError(Exception):
    """Marks an error caused by the input (config, file, command line), not by a bug."""


class InputError(UserError, ValueError):
    """A config value, file or command-line argument that cannot work."""


class InputTypeError(UserError, TypeError):
    """A config value of the wrong kind (e.g. a record that is a tuple where a tensor is needed)."""


class InputFileNotFoundError(UserError, FileNotFoundError):
    """A file the config or the command line names does not exist."""


#: Shown under a tool's one-line error: how to get the traceback after all.
TRACEBACK_ENV = 'MMKD_TRACEBACK'


def run_tool_main(main: Callable[[], None]) -> None:
    """Run a tool's ``main()``; a :class:`UserError` ends it with its message alone.

    The message is what the user needs; the traceback through MMEngine's builders that would
    precede it is not (set ``MMKD_TRACEBACK=1`` to see it anyway). Exit status 1, as for any
    failed command.
    """
    try:
        main()
    except UserError as err:
        if os.environ.get(TRACEBACK_ENV):
            raise
        # One line, whatever the message holds (torch's reasons can span several).
        message = ' '.join(str(err).split())
        sys.exit(f'error: {message}\n(for the traceback, run again with {TRACEBACK_ENV}=1)')


def closest_names(name: str, names: Iterable[str], n: int = 3) -> List[str]:
    """The entries of ``names`` that look most like ``name`` (case-insensitive), best first."""
    names = sorted(set(names))
    by_lower = {candidate.lower(): candidate for candidate in names}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=n, cutoff=0.5)
    return [by_lower[c] for c in close]


def check_choice(value: Any, choices: Sequence[Any], key: str) -> Any:
    """``value`` if it is one of ``choices``, else an :class:`InputError` that lists them.

    Args:
        value: The configured value.
        choices (Sequence): The accepted values.
        key (str): What is set, e.g. ``'FGDFeatureLoss: fg_norm'``.

    Returns:
        ``value``.
    """
    if value not in choices:
        raise InputError(f'{key} must be one of {tuple(choices)}, got {value!r}: use one of them.')
    return value


def check_positive(value: float, key: str) -> float:
    """``value`` if it is ``> 0`` (a temperature, a width factor), else an :class:`InputError`.

    Args:
        value (float): The configured value.
        key (str): What is set, e.g. ``'KDLoss: tau'``.

    Returns:
        float: ``value``.
    """
    if not value > 0:
        raise InputError(f'{key} must be positive, got {value}: set it to a number > 0.')
    return value


def check_weight(value: Any, key: str) -> float:
    """A loss weight: a finite number ``>= 0`` (0 switches the term off).

    Args:
        value: The configured value.
        key (str): Where it is set, e.g. ``'model.distill_points.fpn0.loss.loss_weight'``.

    Returns:
        float: ``value``.

    Raises:
        InputError: For a string, a bool, a negative or a non-finite number.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f'{key} must be a number, got {value!r} ({type(value).__name__}). '
                         f'Write it without quotes, e.g. {key.rsplit(".", 1)[-1]}=1.0.')
    if not math.isfinite(value) or value < 0:
        raise InputError(f'{key} must be a finite number >= 0, got {value!r}: a negative weight '
                         f'would train the student AWAY from the teacher. Use a positive weight, '
                         f'or 0 to switch the term off.')
    return value


def unreadable_checkpoint(path: str, err: Union[BaseException, str], what: str) -> InputError:
    """The error for a file that exists but cannot be read as a checkpoint, whatever its content.

    Args:
        path (str): The file.
        err (BaseException | str): What torch raised, or why the file is not a checkpoint.
        what (str): Which checkpoint and where it is set, e.g.
            ``'Teacher checkpoint (model.teacher.checkpoint)'``.

    Returns:
        InputError: To be raised ``from None``: torch's own frames explain nothing more.
    """
    size = osp.getsize(path) if osp.isfile(path) else 0
    reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return InputError(
        f'{what} "{path}" ({size} bytes) cannot be read as a checkpoint: {reason}. The file is '
        f'most likely '
        f'truncated or corrupt (an interrupted download or copy) or not a PyTorch checkpoint: '
        f'download or copy it again and compare its size with the original.')
