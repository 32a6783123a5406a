"""Data without downloads: the generated toy data set of the demo and the tests, and synthetic
batches for any model (timing, inspection, smoke runs)."""
from .synthetic_batch import fake_batch, task_of
from .toy_data import TOY_CLASSES, TOY_SEG_CLASSES, TOY_SEG_PALETTE, make_toy_data

__all__ = [
    'TOY_CLASSES', 'TOY_SEG_CLASSES', 'TOY_SEG_PALETTE', 'make_toy_data', 'fake_batch', 'task_of'
]
