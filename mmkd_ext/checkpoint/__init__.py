"""Safe checkpoint loading: the one place where mmkd_ext reads ``.pth`` files.

A checkpoint from a stranger (a teacher, a student, a resume file, a download) must load as data:
running no code, corrupting no memory and changing no class-wide state. This package

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

Modules: ``refusals`` (the error and how refusals are collected), ``numpy_types`` and
``history_buffer`` (the validating stand-ins), ``allow_list`` (their registration with torch),
``loader`` (:func:`load_checkpoint_file`), ``mmengine_loaders`` (MMEngine's URL schemes and the
``meta['config']`` scrubbing).
"""
from .allow_list import allow_openmmlab_checkpoint_types, check_torch_version
from .loader import load_checkpoint_file
from .mmengine_loaders import resume_config_text, use_safe_checkpoint_loaders
from .refusals import UnsafeCheckpointError


def install_safe_checkpoint_loading() -> None:
    """All of the above, once per process (``import mmkd_ext`` calls it)."""
    allow_openmmlab_checkpoint_types()
    use_safe_checkpoint_loaders()


__all__ = [
    'UnsafeCheckpointError', 'allow_openmmlab_checkpoint_types', 'check_torch_version',
    'install_safe_checkpoint_loading', 'load_checkpoint_file', 'resume_config_text',
    'use_safe_checkpoint_loaders'
]
