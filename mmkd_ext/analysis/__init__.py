"""Tools to look inside a distillation set-up: module shapes, point checks, CKA, calibration."""
from .metrics import (ReliabilityBins, expected_calibration_error, linear_cka, pool_features,
                      reliability_bins, top1_accuracy)

__all__ = [
    'linear_cka', 'expected_calibration_error', 'reliability_bins', 'ReliabilityBins',
    'pool_features', 'top1_accuracy'
]
