"""Tests of the extra mmpretrain backbones in ``mmkd_ext.models.backbones``.

Every architecture is built inside an mmpretrain ``ImageClassifier`` (global average pooling +
``LinearClsHead``), run on a small batch, and its parameter count (backbone + linear head) is compared
with the published figure:

* CIFAR models, 100-class head: the counts quoted for the CRD CIFAR-100 model zoo (Tian et al.,
  "Contrastive Representation Distillation", ICLR 2020, code "RepDistiller") in the benchmark tables
  of the knowledge-distillation literature: resnet20 0.28M, resnet56 0.86M, resnet8x4 1.23M,
  resnet32x4 7.43M, WRN-16-2 0.70M, WRN-40-1 0.57M, WRN-40-2 2.26M, vgg8 3.96M, vgg13 9.46M,
  MobileNetV2 0.81M, ShuffleNetV1 0.95M, ShuffleNetV2 1.36M. Those figures are rounded to 0.01M,
  so a correct implementation lands within a few tenths of a percent; the tolerance is 5%.
* MobileNetV1, 1000-class head: the 4.2M parameters that Howard et al. ("MobileNets", 2017) report
  for 1.0 MobileNet-224; the test accepts 4.1M .. 4.3M.
"""
import pytest
import torch

pytest.importorskip('mmpretrain')

from mmengine.registry import DefaultScope  # noqa: E402
from mmpretrain.registry import MODELS  # noqa: E402
from torch.nn.modules.batchnorm import _BatchNorm  # noqa: E402

from mmkd_ext.models import (CIFARMobileNetV2, CIFARResNet, CIFARShuffleNetV1,  # noqa: E402
                             CIFARShuffleNetV2, CIFARVGG, CIFARWideResNet, MobileNetV1)

# (backbone config, classes, input size, final width, final map size, target params or None)
CASES = {
    'mobilenet_v1': (dict(type='MobileNetV1'), 1000, 64, 1024, 2, None),
    'resnet20': (dict(type='CIFARResNet', arch='resnet20'), 100, 32, 64, 8, 0.28e6),
    'resnet56': (dict(type='CIFARResNet', arch='resnet56'), 100, 32, 64, 8, 0.86e6),
    'resnet8x4': (dict(type='CIFARResNet', arch='resnet8x4'), 100, 32, 256, 8, 1.23e6),
    'resnet32x4': (dict(type='CIFARResNet', arch='resnet32x4'), 100, 32, 256, 8, 7.43e6),
    'wrn_16_2': (dict(type='CIFARWideResNet', depth=16, widen_factor=2), 100, 32, 128, 8, 0.70e6),
    'wrn_40_1': (dict(type='CIFARWideResNet', depth=40, widen_factor=1), 100, 32, 64, 8, 0.57e6),
    'wrn_40_2': (dict(type='CIFARWideResNet', arch='wrn_40_2'), 100, 32, 128, 8, 2.26e6),
    'vgg8': (dict(type='CIFARVGG', arch='vgg8'), 100, 32, 512, 4, 3.96e6),
    'vgg13': (dict(type='CIFARVGG', arch='vgg13'), 100, 32, 512, 4, 9.46e6),
    'mobilenet_v2_cifar': (dict(type='CIFARMobileNetV2'), 100, 32, 1280, 2, 0.81e6),
    'shufflenet_v1_cifar': (dict(type='CIFARShuffleNetV1'), 100, 32, 960, 4, 0.95e6),
    'shufflenet_v2_cifar': (dict(type='CIFARShuffleNetV2'), 100, 32, 1024, 4, 1.36e6),
}


@pytest.fixture(autouse=True, scope='module')
def single_thread():
    """Run these tiny forwards on one thread: on a busy shared machine, OpenMP threads waiting for
    each other make a 32x32 forward 10-100x slower than one thread does."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def build_classifier(backbone: dict, num_classes: int, in_channels: int) -> torch.nn.Module:
    # In mmpretrain's scope whatever an earlier test left as the default scope.
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(dict(
            type='ImageClassifier', backbone=backbone, neck=dict(type='GlobalAveragePooling'),
            head=dict(type='LinearClsHead', num_classes=num_classes, in_channels=in_channels)))


def count_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize('name', list(CASES))
def test_classifier_forward_and_param_count(name: str) -> None:
    backbone, num_classes, size, width, map_size, target = CASES[name]
    model = build_classifier(backbone, num_classes, width).eval()
    inputs = torch.randn(2, 3, size, size)
    with torch.no_grad():
        feats = model.backbone(inputs)
        logits = model(inputs, mode='tensor')
    assert isinstance(feats, tuple) and len(feats) == 1
    assert feats[-1].shape == (2, width, map_size, map_size)
    # The returned feature is the post-ReLU map that is pooled into the classifier.
    assert feats[-1].min() >= 0
    assert logits.shape == (2, num_classes)
    assert model.backbone.out_channels[-1] == width

    params = count_params(model)
    if target is None:  # MobileNetV1: "4.2 million parameters" in the paper.
        assert 4.1e6 <= params <= 4.3e6, params
    else:
        assert abs(params / target - 1) < 0.05, f'{name}: {params} parameters, expected ~{target:.0f}'


def test_mobilenet_v1_layer_list() -> None:
    """Widths and strides follow Table 1 of Howard et al. (with the last depthwise conv at stride 1)."""
    model = MobileNetV1(out_indices=range(14)).eval()
    with torch.no_grad():
        outs = model(torch.randn(1, 3, 64, 64))
    assert [o.shape[1] for o in outs] == [32, 64, 128, 128, 256, 256] + [512] * 6 + [1024, 1024]
    # 64 / stride for the strides 2,1,2,1,2,1,2,1,1,1,1,1,2,1 of the 14 layers.
    assert [o.shape[2] for o in outs] == [32, 32, 16, 16, 8, 8] + [4] * 6 + [2, 2]
    half = MobileNetV1(widen_factor=0.5)
    assert half.out_channels[-1] == 512
    # The paper's input size: a 7x7 final map (total stride 32).
    with torch.no_grad():
        assert half.eval()(torch.randn(1, 3, 224, 224))[0].shape == (1, 512, 7, 7)


@pytest.mark.parametrize('cls, kwargs, size, num_outputs', [
    (MobileNetV1, dict(widen_factor=0.25), 32, 14),
    (CIFARResNet, dict(arch='resnet8'), 32, 3),
    (CIFARWideResNet, dict(depth=10, widen_factor=1), 32, 3),
    (CIFARVGG, dict(arch='vgg8'), 32, 5),
    (CIFARMobileNetV2, dict(), 32, 8),
    (CIFARShuffleNetV1, dict(), 32, 3),
    (CIFARShuffleNetV2, dict(widen_factor=0.5), 32, 4),
])
def test_all_out_indices(cls, kwargs: dict, size: int, num_outputs: int) -> None:
    model = cls(out_indices=tuple(range(num_outputs)), **kwargs).eval()
    with torch.no_grad():
        outs = model(torch.randn(1, 3, size, size))
    assert len(outs) == num_outputs
    assert [o.shape[1] for o in outs] == list(model.out_channels)
    # Negative indices count from the end.
    assert cls(out_indices=(-1,), **kwargs).out_indices == (num_outputs - 1,)
    with pytest.raises(ValueError):
        cls(out_indices=(num_outputs,), **kwargs)


def test_stage_shapes_on_cifar() -> None:
    with torch.no_grad():
        x = torch.randn(1, 3, 32, 32)
        outs = CIFARResNet('resnet8x4', out_indices=(0, 1, 2)).eval()(x)
        assert [tuple(o.shape[1:]) for o in outs] == [(64, 32, 32), (128, 16, 16), (256, 8, 8)]
        outs = CIFARVGG('vgg8', out_indices=(0, 1, 2, 3, 4)).eval()(x)
        assert [o.shape[2] for o in outs] == [32, 16, 8, 4, 4]
        # CRD's rule: 64x64 inputs (Tiny-ImageNet) get the extra pool before the last stage.
        assert CIFARVGG('vgg8').eval()(torch.randn(1, 3, 64, 64))[0].shape == (1, 512, 4, 4)
        outs = CIFARShuffleNetV1(out_indices=(0, 1, 2)).eval()(x)
        assert [tuple(o.shape[1:]) for o in outs] == [(240, 16, 16), (480, 8, 8), (960, 4, 4)]


@pytest.mark.parametrize('cls, kwargs, frozen_stages, frozen_prefixes, free_prefix', [
    (CIFARResNet, dict(arch='resnet8'), 1, ('stem.', 'stages.0.'), 'stages.1.'),
    (CIFARWideResNet, dict(depth=10, widen_factor=1), 0, ('stem.',), 'stages.0.'),
    (MobileNetV1, dict(widen_factor=0.25), 2, ('stem.', 'layers.0.', 'layers.1.'), 'layers.2.'),
    (CIFARVGG, dict(arch='vgg8'), 2, ('stages.0.', 'stages.1.'), 'stages.2.'),
    (CIFARMobileNetV2, dict(), 1, ('stem.', 'layers.0.'), 'layers.1.'),
    (CIFARShuffleNetV1, dict(), 1, ('stem.', 'stages.0.'), 'stages.1.'),
    (CIFARShuffleNetV2, dict(widen_factor=0.5), 1, ('stem.', 'layers.0.'), 'layers.1.'),
])
def test_frozen_stages(cls, kwargs: dict, frozen_stages: int, frozen_prefixes: tuple,
                       free_prefix: str) -> None:
    model = cls(frozen_stages=frozen_stages, **kwargs)
    model.train()
    for name, param in model.named_parameters():
        expect_frozen = name.startswith(frozen_prefixes)
        assert param.requires_grad != expect_frozen, name
    for name, module in model.named_modules():
        if isinstance(module, _BatchNorm):
            prefix = name + '.'
            if prefix.startswith(frozen_prefixes):
                assert not module.training, name
            elif prefix.startswith(free_prefix):
                assert module.training, name


def test_norm_eval_keeps_batchnorm_statistics() -> None:
    model = CIFARResNet('resnet8', norm_eval=True)
    model.train()
    norms = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    assert norms and not any(m.training for m in norms)
    before = norms[0].running_mean.clone()
    model(torch.randn(2, 3, 32, 32))
    assert torch.equal(norms[0].running_mean, before)


def test_registry_names_do_not_shadow_mmpretrain() -> None:
    import mmpretrain.models  # noqa: F401  (registers mmpretrain's own backbones)
    for name, cls in [('MobileNetV1', MobileNetV1), ('CIFARResNet', CIFARResNet),
                      ('CIFARWideResNet', CIFARWideResNet), ('CIFARVGG', CIFARVGG),
                      ('CIFARMobileNetV2', CIFARMobileNetV2),
                      ('CIFARShuffleNetV1', CIFARShuffleNetV1),
                      ('CIFARShuffleNetV2', CIFARShuffleNetV2)]:
        assert MODELS.get(name) is cls
    for name in ('ResNet_CIFAR', 'MobileNetV2', 'ShuffleNetV1', 'ShuffleNetV2', 'VGG'):
        assert MODELS.get(name).__module__.startswith('mmpretrain.'), name


def test_bad_arguments() -> None:
    with pytest.raises(KeyError):
        CIFARResNet('resnet21')
    with pytest.raises(ValueError):
        CIFARResNet(dict(depth=21, widths=(16, 16, 32, 64)))
    with pytest.raises(ValueError):
        CIFARWideResNet(depth=41, widen_factor=2)
    with pytest.raises(KeyError):
        CIFARVGG('vgg7')
    with pytest.raises(ValueError):
        CIFARShuffleNetV1(groups=8)
    with pytest.raises(ValueError):
        CIFARShuffleNetV2(widen_factor=0.75)


@pytest.mark.parametrize('build, message', [
    (lambda: MobileNetV1(widen_factor=0), r'MobileNetV1: widen_factor must be positive, got 0'),
    (lambda: CIFARMobileNetV2(widen_factor=-0.5), r'CIFARMobileNetV2: widen_factor must be positive'),
])
def test_a_non_positive_width_is_refused_with_its_name(build, message):
    with pytest.raises(ValueError, match=message):
        build()
