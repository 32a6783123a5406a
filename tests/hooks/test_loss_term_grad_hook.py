"""LossTermGradHook: each loss term's own gradient norm and the module state, per iteration."""
import csv
import math
from types import SimpleNamespace

import pytest
import torch
from helpers.runs import build_toy

from mmkd_ext.datasets import fake_batch
from mmkd_ext.hooks import LossTermGradHook


def _norm(loss, params):
    grads = torch.autograd.grad(loss, params, retain_graph=True, allow_unused=True)
    return math.sqrt(sum(float(g.pow(2).sum()) for g in grads if g is not None))


def test_term_norms_total_and_state_match_direct_autograd(tmp_path):
    _, model = build_toy('nd-kd_resnet18w32-r18w8_toy-cls.py')
    model.points['nd'].loss.set_class_means(torch.randn(4, 256))
    model.train()
    runner = SimpleNamespace(model=model, work_dir=str(tmp_path), iter=0)
    hook = LossTermGradHook(modules=['neck', 'head.fc'])
    hook.before_train(runner)
    data = model.data_preprocessor(fake_batch(model.student, 4, (32, 32)), True)
    losses = model(**data, mode='loss')
    model.parse_losses(losses)  # the runner's call: the hook logs here

    params = [p for p in model.parameters() if p.requires_grad]
    terms = {k: v for k, v in losses.items() if 'loss' in k}
    assert set(terms) == {'student.loss', 'distill.kd.loss_kd', 'distill.nd.loss_nd'}
    with open(tmp_path / 'loss_terms.csv') as f:
        (row, ) = list(csv.DictReader(f))
    for key, value in terms.items():
        assert float(row[key]) == pytest.approx(value.item(), rel=1e-5)
        assert float(row[f'grad_norm/{key}']) == pytest.approx(_norm(value, params), rel=1e-4)
    # The total is the norm the optimiser clips: that of the summed loss, not a sum of norms.
    total = _norm(sum(terms.values()), params)
    assert float(row['grad_norm/total']) == pytest.approx(total, rel=1e-4)
    assert total < sum(float(row[f'grad_norm/{k}']) for k in terms)
    # The pooled feature is post-ReLU: a share of exact zeros in [0, 1]; logits have a row spread.
    assert 0.0 <= float(row['neck.zero_frac']) <= 1.0 and float(row['neck.norm']) > 0
    assert float(row['head.fc.row_std']) > 0


def test_an_unknown_module_is_refused():
    _, model = build_toy('kd_resnet18w32-r18w8_toy-cls.py')
    runner = SimpleNamespace(model=model, work_dir='.', iter=0)
    with pytest.raises(ValueError, match="has no module 'head.fcc'"):
        LossTermGradHook(modules=['head.fcc']).before_train(runner)
