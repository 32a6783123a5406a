"""Data helpers: the synthetic toy data set used by the CPU demo configs and the tests."""
from .toy_data import (TOY_CLASSES, TOY_SEG_CLASSES, TOY_SEG_PALETTE, make_toy_data,
                       set_toy_data_root)

__all__ = [
    'TOY_CLASSES', 'TOY_SEG_CLASSES', 'TOY_SEG_PALETTE', 'make_toy_data', 'set_toy_data_root'
]
