"""Distillation losses between a student and a teacher tensor (ND lives in :mod:`mmkd_ext.nd`)."""
from .base import BaseDistillLoss
from .cosine_loss import CosineDistanceLoss
from .cwd_loss import CWDLoss
from .dist_loss import DISTLoss
from .dkd_loss import DKDLoss
from .fgd_loss import FGDFeatureLoss
from .kd_loss import KDLoss
from .mse_loss import FeatureMSELoss

__all__ = [
    'BaseDistillLoss', 'CosineDistanceLoss', 'CWDLoss', 'DISTLoss', 'DKDLoss', 'FeatureMSELoss',
    'FGDFeatureLoss', 'KDLoss'
]
