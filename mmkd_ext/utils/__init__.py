from .checkpoint import (UnsafeCheckpointError, allow_openmmlab_checkpoint_types,
                         install_safe_checkpoint_loading, load_checkpoint_file)
from .export import export_student, student_checkpoint, student_config

__all__ = ['UnsafeCheckpointError', 'allow_openmmlab_checkpoint_types',
           'install_safe_checkpoint_loading', 'load_checkpoint_file', 'export_student',
           'student_checkpoint', 'student_config']
