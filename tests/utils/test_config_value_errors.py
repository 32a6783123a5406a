"""Impossible component settings fail at construction, naming the component, the key and the choices."""
import pytest

from mmkd_ext.connectors import DiffKDDenoiser
from mmkd_ext.connectors.diffkd import NoiseAdapter, NoisePredictor
from mmkd_ext.losses import (CWDLoss, DISTLoss, DKDLoss, FeatureMSELoss, FGDFeatureLoss, KDLoss)
from mmkd_ext.models import CIFARMobileNetV2, MobileNetV1
from mmkd_ext.nd import ClassMeansHook, NDProjector

CHOICES = [
    (lambda: FGDFeatureLoss(fg_norm='boxes'), r"FGDFeatureLoss: fg_norm must be one of \(.*'box'"),
    (lambda: FGDFeatureLoss(fg_cells='all'), r'FGDFeatureLoss: fg_cells must be one of'),
    (lambda: FeatureMSELoss(reduction='max'), r"FeatureMSELoss: reduction must be one of .*'max'"),
    (lambda: ClassMeansHook(on_mismatch='ignore'),
     r"ClassMeansHook: on_mismatch must be one of \('error', 'recompute'\), got 'ignore'"),
    (lambda: NDProjector(64, 128, linear_init='xavier'), r'NDProjector: linear_init must be one of'),
    (lambda: DiffKDDenoiser(8, 8, kind='grid'),
     r"DiffKDDenoiser: kind must be one of \('map', 'vector'\), got 'grid'"),
    (lambda: NoisePredictor(8, kind='grid'), r'NoisePredictor: kind must be one of'),
    (lambda: NoiseAdapter(8, kind='grid'), r'NoiseAdapter: kind must be one of'),
]
POSITIVE = [
    (lambda: KDLoss(tau=0), r'KDLoss: tau must be positive, got 0'),
    (lambda: CWDLoss(tau=-1.0), r'CWDLoss: tau must be positive, got -1.0'),
    (lambda: DISTLoss(tau=0.0), r'DISTLoss: tau must be positive'),
    (lambda: DKDLoss(tau=-4.0), r'DKDLoss: tau must be positive'),
    (lambda: FGDFeatureLoss(temperature=0), r'FGDFeatureLoss: temperature must be positive'),
    (lambda: MobileNetV1(widen_factor=0), r'MobileNetV1: widen_factor must be positive, got 0'),
    (lambda: CIFARMobileNetV2(widen_factor=-0.5), r'CIFARMobileNetV2: widen_factor must be positive'),
]


@pytest.mark.parametrize('build, message', CHOICES + POSITIVE)
def test_an_impossible_setting_is_refused_with_its_name(build, message):
    with pytest.raises(ValueError, match=message):
        build()
