"""Hooks for distillation runs: the student export, exact resume, loss warm-up, point check,
per-term gradients."""
from .distill_warmup_hook import DistillLossWarmupHook
from .loss_term_grad_hook import LossTermGradHook
from .point_check_hook import DistillPointCheckHook
from .random_state_hook import RandomStateHook
from .student_checkpoint_hook import StudentCheckpointHook, StudentWeightsHook

__all__ = ['DistillLossWarmupHook', 'DistillPointCheckHook', 'LossTermGradHook', 'RandomStateHook',
           'StudentCheckpointHook', 'StudentWeightsHook']
