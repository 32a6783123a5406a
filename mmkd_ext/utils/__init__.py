from .checkpoint import allow_openmmlab_checkpoint_types
from .export import export_student, student_checkpoint, student_config

__all__ = ['allow_openmmlab_checkpoint_types', 'export_student', 'student_checkpoint',
           'student_config']
