"""Hooks for distillation runs: the student export, exact resume, loss warm-up."""
from .distill_warmup_hook import DistillLossWarmupHook
from .random_state_hook import RandomStateHook
from .student_checkpoint_hook import StudentCheckpointHook

__all__ = ['DistillLossWarmupHook', 'RandomStateHook', 'StudentCheckpointHook']
