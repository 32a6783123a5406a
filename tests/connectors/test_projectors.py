"""The PEFD connectors: the projector ensemble and the logit projector."""
import warnings

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmkd_ext.connectors.logit_projector import LogitProjector
from mmkd_ext.connectors.projector_ensemble import ProjectorEnsemble
from mmkd_ext.registry import MODELS


@pytest.mark.parametrize('init_cfg', [None, dict(type='Kaiming', layer='Conv2d'),
                                      dict(type='Constant', layer='Conv2d', val=0.1)])
def test_projector_ensemble_members_differ_after_init(init_cfg):
    ens = MODELS.build(dict(type='ProjectorEnsemble', student_channels=8, teacher_channels=6,
                            init_cfg=init_cfg))
    assert ens.student_channels == 8 and ens.teacher_channels == 6 and len(ens.projectors) == 3
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        ens.init_weights()
    weights = [p.proj.weight for p in ens.projectors]
    for i in range(3):
        for j in range(i + 1, 3):
            assert not torch.equal(weights[i], weights[j])
    redraw_warned = any('re-drawn' in str(w.message) for w in caught)
    assert redraw_warned == (init_cfg is not None and init_cfg['type'] == 'Constant')


@pytest.mark.parametrize('spatial', [False, True])
def test_projector_ensemble_relu_before_mean(spatial):
    ens = ProjectorEnsemble(2, 2, num_projectors=2)
    with torch.no_grad():
        for proj, sign in zip(ens.projectors, (1.0, -1.0)):
            proj.proj.weight.copy_(sign * torch.eye(2).view(2, 2, 1, 1))
            proj.proj.bias.zero_()
    s = torch.tensor([[1.0, -2.0]])
    if spatial:
        s = s.view(1, 2, 1, 1).expand(1, 2, 3, 3)
    t = torch.randn_like(s)
    out, t_out, aux = ens(s, t)
    assert t_out is t and aux == {}
    # mean(ReLU(s), ReLU(−s)) = (0.5, 1); ReLU(mean(s, −s)) would be (0, 0).
    expected = torch.tensor([0.5, 1.0])
    got = out[0] if not spatial else out[0, :, 1, 2]
    assert torch.allclose(got, expected)


@pytest.mark.parametrize('shape', [(4, 8), (2, 8, 3, 5)])
def test_projector_ensemble_zero_loss_when_directions_match(shape):
    torch.manual_seed(0)
    ens = ProjectorEnsemble(8, 6)
    ens.init_weights()
    s = torch.randn(*shape)
    out, _, _ = ens(s, torch.zeros(1))
    assert out.shape == (shape[0], 6) + tuple(shape[2:])
    teacher = out.detach() * 2.5 + 0.0  # same directions, different norms
    _, t_out, _ = ens(s, teacher)
    cos_loss = (1 - F.cosine_similarity(out, t_out, dim=1, eps=1e-8)).mean()
    assert cos_loss.item() == pytest.approx(0.0, abs=1e-5)
    lin = ens.projectors[0].proj
    if len(shape) == 4:  # a map is the vector path applied at every location
        vec, _, _ = ens(s.permute(0, 2, 3, 1).reshape(-1, 8), teacher)
        assert torch.allclose(vec, out.permute(0, 2, 3, 1).reshape(-1, 6), atol=1e-6)
    else:
        assert torch.allclose(F.relu(F.linear(s, lin.weight.flatten(1), lin.bias)),
                              ens.projectors[0].project(s))


def test_logit_projector_default_init_and_identity_option():
    class Parent(BaseModule):

        def __init__(self, **kwargs):
            super().__init__(init_cfg=dict(type='Normal', layer='Linear', std=1.0))
            self.proj = MODELS.build(dict(type='LogitProjector', num_classes=5, **kwargs))

    # The default is nn.Linear's own init (as in the paper's code): not the identity.
    torch.manual_seed(0)
    default = LogitProjector(5)
    torch.manual_seed(0)
    assert torch.equal(default.fc.weight, nn.Linear(5, 5).weight)
    assert not default.identity_init
    # identity_init=True starts from plain logit KD and survives a parent's blanket init.
    parent = Parent(identity_init=True)
    parent.init_weights()
    logits, t = torch.randn(3, 5), torch.randn(3, 5)
    out, t_out, aux = parent.proj(logits, t)
    assert torch.equal(out, logits) and t_out is t and aux == {}
    with pytest.raises(ValueError, match='5 classes'):
        parent.proj(torch.randn(3, 4), t)
