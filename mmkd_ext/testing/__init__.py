"""Synthetic inputs for tests, smoke runs and the inspection tools (no data set needed)."""
from .fake_data import fake_batch, task_of

__all__ = ['fake_batch', 'task_of']
