"""The distiller on real toy mmdet / mmseg / mmpretrain models: teacher handling and bad input."""
import copy

import pytest
import torch
from helpers.runs import TOOLBOX_CONFIGS, build_toy, toy_config
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import MODELS, init_default_scope

from mmkd_ext.datasets import fake_batch
from mmkd_ext.distillers import build_teacher_model

FASTER_RCNN = 'mse_faster-rcnn_r18w32-r18w8_fpn_toy-det.py'
FCN = 'kd_fcn_r18w32-r18w8_toy-seg.py'
CLS = 'kd_resnet18w32-r18w8_toy-cls.py'


def distiller_cfg(name: str, **points) -> Config:
    """The toy distillation config with a random teacher, and its points replaced if given."""
    cfg = Config.fromfile(toy_config(name))
    cfg.model.teacher.checkpoint = None
    if points:
        cfg.model.distill_points = points
    init_default_scope(cfg.default_scope)
    return cfg


def build(cfg: Config):
    return MODELS.build(cfg.model)


def train_step(model, cfg, batch_size=2, size=(64, 64)):
    optim = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
    return model.train_step(fake_batch(model.student, batch_size, size), optim)


def mse_point(student, teacher, **extra):
    return dict(student=student, teacher=teacher, loss=dict(type='FeatureMSELoss'), **extra)


# ----------------------------------------------------------------------------------- the teacher

def test_teacher_is_frozen_hidden_and_runs_only_what_is_recorded():
    cfg = distiller_cfg(FASTER_RCNN)
    model = build(cfg)
    calls = {'rpn_head': 0, 'neck': 0}
    for name in calls:  # pre-hooks: the early stop raises from the neck's forward hook
        getattr(model.teacher.model, name).register_forward_pre_hook(
            lambda *a, n=name: calls.__setitem__(n, calls[n] + 1))
    model.train()
    losses = train_step(model, cfg)
    assert {f'distill.fpn{i}.loss_feature_mse' for i in range(4)} <= set(losses)
    assert calls == {'rpn_head': 0, 'neck': 1}, 'the teacher must stop after its recorded neck'
    assert not model.teacher.model.training
    assert all(not p.requires_grad and p.grad is None for p in model.teacher.parameters())
    assert not any(k.startswith('teacher') for k in model.state_dict())
    teacher_ids = {id(p) for p in model.teacher.parameters()}
    assert not teacher_ids & {id(p) for p in model.parameters()}, 'teacher must not be optimised'


def test_teacher_with_its_own_normalisation_sees_its_own_inputs():
    cfg = distiller_cfg(CLS)
    cfg.model.teacher.cfg_options = {
        'model.data_preprocessor.mean': [10.0, 20.0, 30.0],
        'model.data_preprocessor.std': [2.0, 4.0, 8.0],
        'model.data_preprocessor.to_rgb': False,
    }
    model = build(cfg)
    batch = fake_batch(model.student, 2, (32, 32))
    student_in = model.data_preprocessor(copy.deepcopy(batch), False)['inputs']
    teacher_own = model.teacher.model.data_preprocessor(copy.deepcopy(batch), False)['inputs']
    assert not torch.allclose(student_in, teacher_own)
    torch.testing.assert_close(model.teacher.teacher_inputs(student_in), teacher_own,
                               rtol=1e-5, atol=1e-4)


def test_teacher_checkpoint_is_loaded_and_checked(tmp_path):
    cfg = distiller_cfg(CLS)
    teacher = build_teacher_model(cfg.model.teacher.config)
    path = str(tmp_path / 'teacher.pth')
    torch.save({'meta': {}, 'state_dict': teacher.state_dict()}, path)
    cfg.model.teacher.checkpoint = path
    model = build(cfg)
    for key, value in teacher.state_dict().items():
        assert torch.equal(model.teacher.model.state_dict()[key], value)


def test_missing_teacher_checkpoint_is_a_clear_error():
    cfg = distiller_cfg(CLS)
    cfg.model.teacher.checkpoint = '/nonexistent/teacher.pth'
    with pytest.raises(FileNotFoundError, match='model.teacher.checkpoint'):
        build(cfg)


def test_mismatched_teacher_checkpoint_lists_the_keys(tmp_path):
    cfg = distiller_cfg(CLS)
    student = build_teacher_model(toy_config('resnet18-w8_toy-cls.py'))  # the wrong network
    path = str(tmp_path / 'student_as_teacher.pth')
    torch.save({'state_dict': student.state_dict()}, path)
    cfg.model.teacher.checkpoint = path
    with pytest.raises(ValueError, match=r'shape mismatches.*backbone\.conv1\.weight'):
        build(cfg)


# ------------------------------------------------------------------------------------ bad input

def test_unknown_module_name_lists_the_closest_real_names():
    cfg = distiller_cfg(FASTER_RCNN, p=mse_point('nek[0]', 'neck[0]'))
    with pytest.raises(ValueError, match=r'no module named "nek".*neck'):
        build(cfg)
    cfg = distiller_cfg(FASTER_RCNN, p=mse_point('neck[0]', 'backbone.layer5'))
    with pytest.raises(ValueError, match=r'teacher has no module named "backbone.layer5".*layer4'):
        build(cfg)


def test_channel_mismatch_shows_both_shapes():
    cfg = distiller_cfg(CLS, p=mse_point(
        'backbone.layer4', 'backbone.layer4',
        connector=dict(type='Projector', student_channels=32, teacher_channels=256)))
    model = build(cfg)
    with pytest.raises(ValueError, match=r'expects 32 student channels.*\(2, 64, 1, 1\)'):
        train_step(model, cfg, size=(32, 32))


def test_spatial_mismatch_shows_both_shapes():
    cfg = distiller_cfg(FASTER_RCNN, p=mse_point('neck[0]', 'neck[1]'))
    model = build(cfg)
    with pytest.raises(ValueError, match=r'\(2, 32, 16, 16\).*\(2, 32, 8, 8\).*same shape'):
        train_step(model, cfg)


def test_record_that_is_not_a_tensor_asks_for_an_index():
    cfg = distiller_cfg(FASTER_RCNN, p=mse_point('neck', 'neck'))
    model = build(cfg)
    with pytest.raises(TypeError, match=r'"neck" is a tuple.*"neck\[0\]"'):
        train_step(model, cfg)
    cfg = distiller_cfg(FASTER_RCNN, p=mse_point('neck[7]', 'neck[0]'))
    model = build(cfg)
    with pytest.raises(IndexError, match='out of range.*length 4'):
        train_step(model, cfg)


def test_module_that_never_ran_is_named():
    # The head's loss module exists but does not run in the teacher's tensor-mode forward.
    cfg = distiller_cfg(CLS, p=mse_point('head.fc', 'head.loss_module'))
    model = build(cfg)
    with pytest.raises(RuntimeError, match=r'teacher module "head.loss_module" did not run'):
        train_step(model, cfg, size=(32, 32))


def test_point_and_teacher_keys_are_validated():
    cfg = distiller_cfg(CLS, p=dict(student='head.fc', teacher='head.fc'))
    with pytest.raises(ValueError, match='needs the keys student, teacher, loss'):
        build(cfg)
    cfg = distiller_cfg(CLS)
    del cfg.model.teacher['checkpoint']
    with pytest.raises(ValueError, match='needs `checkpoint`'):
        build(cfg)


# ------------------------------------------------------------------------------ all three toolboxes

@pytest.mark.parametrize('name,size', [(FASTER_RCNN, (64, 64)), (FCN, (64, 64)), (CLS, (32, 32))])
def test_batch_size_one_works_on_feature_maps(name, size):
    cfg = distiller_cfg(name)
    model = build(cfg)
    losses = train_step(model, cfg, batch_size=1 if name != CLS else 2, size=size)
    assert all(torch.isfinite(v).all() for k, v in losses.items() if 'loss' in k)


def test_predict_and_tensor_modes_use_the_student_alone():
    cfg = distiller_cfg(FCN)
    model = build(cfg).eval()
    calls = []
    model.teacher.model.register_forward_hook(lambda *a: calls.append(1))
    batch = fake_batch(model.student, 1, (64, 64))
    with torch.no_grad():
        ours = model.test_step(copy.deepcopy(batch))
        theirs = model.student.test_step(copy.deepcopy(batch))
    assert not calls
    assert torch.equal(ours[0].seg_logits.data, theirs[0].seg_logits.data)


def test_top_level_data_preprocessor_reaches_the_student():
    """Stock mmpretrain configs keep data_preprocessor at the top level; the Runner passes it to
    the distiller, and the student (whose own dict has none) must normalise with it."""
    cfg = distiller_cfg(CLS)
    top_level = cfg.model.student.pop('data_preprocessor')
    top_level.mean = [1.0, 2.0, 3.0]
    model = MODELS.build(cfg.model, default_args=dict(data_preprocessor=top_level))
    assert model.student.data_preprocessor.mean.flatten().tolist() == [1.0, 2.0, 3.0]
    assert model.data_preprocessor is model.student.data_preprocessor


def test_a_torchvision_resnet_checkpoint_loads_into_an_mmpretrain_teacher(tmp_path):
    """The papers' ImageNet teachers are torchvision's: their checkpoints load as they are, and
    the mmpretrain ResNet then computes exactly what the torchvision model computes."""
    import torchvision
    from mmkd_ext.distillers.teacher import load_teacher_checkpoint
    torch.manual_seed(0)
    reference = torchvision.models.resnet18(num_classes=10).eval()
    path = str(tmp_path / 'resnet18_torchvision.pth')
    torch.save(reference.state_dict(), path)
    teacher = build_teacher_model(model=dict(
        type='mmpretrain.ImageClassifier',
        backbone=dict(type='mmpretrain.ResNet', depth=18),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(type='mmpretrain.LinearClsHead', num_classes=10, in_channels=512)))
    load_teacher_checkpoint(teacher, path)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(teacher.eval()(x, mode='tensor'), reference(x), atol=1e-5)


def test_a_distiller_checkpoint_can_serve_as_teacher(tmp_path):
    """Its ``student.*`` weights load into a teacher of the same architecture."""
    cfg = distiller_cfg(CLS)
    teacher = build_teacher_model(cfg.model.teacher.config)
    path = str(tmp_path / 'distilled.pth')
    torch.save({'state_dict': {f'student.{k}': v for k, v in teacher.state_dict().items()}}, path)
    cfg.model.teacher.checkpoint = path
    model = build(cfg)
    for key, value in teacher.state_dict().items():
        assert torch.equal(model.teacher.model.state_dict()[key], value)


BF16_CASES = [
    pytest.param('faster-rcnn', marks=pytest.mark.xfail(
        strict=True, raises=RuntimeError,
        reason="mmcv's CPU nms (student RPN) has no bf16 kernel; the plain student fails alike")),
    'retinanet', 'fcn', 'resnet-cls', 'diffkd-cls'
]


@pytest.mark.parametrize('key', BF16_CASES)
def test_bf16_autocast_step_gives_finite_losses(key):
    """AMP on CPU is bf16 autocast (MMEngine's AmpOptimWrapper is GPU-only)."""
    cfg, model = build_toy(TOOLBOX_CONFIGS[key])
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    batch = fake_batch(model.student, 2, (32, 32) if key.endswith('cls') else (64, 64))
    with torch.autocast('cpu', dtype=torch.bfloat16):
        losses = model.train_step(batch, optim)
    distill = {k: v for k, v in losses.items() if k.startswith('distill.')}
    assert distill and all(torch.isfinite(v) for v in losses.values())
