from .base import BaseDistillLoss
from .cosine_loss import CosineDistanceLoss
from .cwd_loss import CWDLoss
from .dist_loss import DISTLoss
from .dkd_loss import DKDLoss
from .fgd_loss import FGDFeatureLoss
from .kd_loss import KDLoss
from .mse_loss import FeatureMSELoss
from .nd_loss import NDLoss, nd_loss

__all__ = [
    'BaseDistillLoss', 'CosineDistanceLoss', 'CWDLoss', 'DISTLoss', 'DKDLoss', 'FeatureMSELoss',
    'FGDFeatureLoss', 'KDLoss', 'NDLoss', 'nd_loss'
]
