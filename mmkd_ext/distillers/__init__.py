"""The distiller: student + frozen teacher, the recorders between them, and the student export."""
from .export import export_student, student_checkpoint, student_config
from .feature_distiller import DistillPoint, FeatureDistiller
from .recorder import ModuleRecorder, RecorderSet, parse_record_spec
from .roi_distiller import RoIDistiller
from .teacher import FrozenTeacher, build_teacher_model, load_teacher_checkpoint

__all__ = ['DistillPoint', 'FeatureDistiller', 'ModuleRecorder', 'RecorderSet', 'parse_record_spec',
           'RoIDistiller', 'FrozenTeacher', 'build_teacher_model', 'load_teacher_checkpoint',
           'export_student', 'student_checkpoint', 'student_config']
