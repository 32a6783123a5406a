"""Leaf helpers that import nothing else of mmkd_ext: AMP, safe checkpoint loading, digests, errors."""
from .checkpoint import (UnsafeCheckpointError, allow_openmmlab_checkpoint_types,
                         install_safe_checkpoint_loading, load_checkpoint_file)

__all__ = ['UnsafeCheckpointError', 'allow_openmmlab_checkpoint_types',
           'install_safe_checkpoint_loading', 'load_checkpoint_file']
