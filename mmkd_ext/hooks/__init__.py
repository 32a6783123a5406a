from .class_means_hook import ClassMeansHook
from .distill_warmup_hook import DistillLossWarmupHook
from .random_state_hook import RandomStateHook
from .student_checkpoint_hook import StudentCheckpointHook

__all__ = ['ClassMeansHook', 'DistillLossWarmupHook', 'RandomStateHook', 'StudentCheckpointHook']
