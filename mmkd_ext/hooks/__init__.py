"""Hooks for distillation runs: the student export, exact resume, loss warm-up, per-term gradients."""
from .distill_warmup_hook import DistillLossWarmupHook
from .loss_term_grad_hook import LossTermGradHook
from .random_state_hook import RandomStateHook
from .student_checkpoint_hook import StudentCheckpointHook

__all__ = ['DistillLossWarmupHook', 'LossTermGradHook', 'RandomStateHook', 'StudentCheckpointHook']
