"""DistillLossWarmupHook: the KD++ warm-up of a point's weight, per epoch or per iteration."""
import copy
from types import SimpleNamespace

import pytest
import torch
from helpers.runs import build_toy

from mmkd_ext.datasets import fake_batch
from mmkd_ext.hooks import DistillLossWarmupHook

ND_CLS = 'nd-kd_resnet18w32-r18w8_toy-cls.py'


def toy_distiller():
    cfg, model = build_toy(ND_CLS)
    model.points['nd'].loss.set_class_means(torch.randn(4, 256))
    return cfg, model


@pytest.mark.parametrize('epoch,factor', [(0, 0.0), (1, 0.2), (3, 0.6), (5, 1.0), (9, 1.0)])
def test_warmup_weight_per_epoch(epoch, factor):
    _, model = toy_distiller()
    model.points['kd'].weight = 2.0
    runner = SimpleNamespace(model=model, epoch=epoch, iter=0)
    hook = DistillLossWarmupHook(points='kd', warmup_epochs=5)
    hook.before_train(runner)
    hook.before_train_epoch(runner)
    assert model.points['kd'].weight == pytest.approx(2.0 * factor)
    assert model.points['nd'].weight == 1.0  # other points untouched
    hook.before_train_iter(runner, 0)  # per-epoch mode ignores iterations
    assert model.points['kd'].weight == pytest.approx(2.0 * factor)


def test_warmup_weight_per_iteration_scales_the_logged_loss():
    _, model = toy_distiller()
    hook = DistillLossWarmupHook(points=['kd'], by_epoch=False, warmup_iters=10)
    runner = SimpleNamespace(model=model, epoch=0, iter=0)
    hook.before_train(runner)
    batch = fake_batch(model.student, 4, (32, 32))
    kd = {}
    for it in (0, 4, 10, 25):
        runner.iter = it
        hook.before_train_iter(runner, it)
        model.eval()  # same dropout/BN behaviour each time: only the weight changes
        with torch.no_grad():
            losses = model.loss(**model.data_preprocessor(copy.deepcopy(batch), False))
        kd[it] = float(losses['distill.kd.loss_kd'])
    assert kd[0] == 0.0
    assert kd[4] == pytest.approx(0.4 * kd[10], rel=1e-5) and kd[10] > 0
    assert kd[25] == pytest.approx(kd[10], rel=1e-5)


def test_warmup_hook_validates_its_arguments():
    with pytest.raises(ValueError, match='warmup_epochs'):
        DistillLossWarmupHook(points='kd', warmup_iters=5)
    with pytest.raises(ValueError, match='warmup_iters'):
        DistillLossWarmupHook(points='kd', by_epoch=False, warmup_epochs=5)
    _, model = toy_distiller()
    with pytest.raises(KeyError, match="'kd', 'nd'"):
        DistillLossWarmupHook(points='kdd', warmup_epochs=5).before_train(
            SimpleNamespace(model=model))
