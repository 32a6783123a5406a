"""Hooks for distillation runs: the student export, exact resume, loss warm-up, point check."""
from .distill_warmup_hook import DistillLossWarmupHook
from .point_check_hook import DistillPointCheckHook
from .random_state_hook import RandomStateHook
from .student_checkpoint_hook import StudentCheckpointHook, StudentWeightsHook

__all__ = ['DistillLossWarmupHook', 'DistillPointCheckHook', 'RandomStateHook',
           'StudentCheckpointHook', 'StudentWeightsHook']
