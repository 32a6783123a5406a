"""The ND loss (values, gradients, errors, its class-means file), the ND projector, an ND point."""
import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from helpers.class_means import MEANS
from helpers.class_means import save_means as _save
from mmengine.model import BaseModule

from mmkd_ext.nd import ClassMeansHook, NDLoss, NDProjector, nd_loss
from mmkd_ext.registry import MODELS

# ----------------------------------------------------------------------------------------- helpers


def _samples(labels):
    from mmpretrain.structures import DataSample
    return [DataSample().set_gt_label(int(y)) for y in labels]


def _reference_nd(student, teacher, labels, means):
    """The ND loss with plain Python loops, independent of the vectorised implementation."""
    total = 0.0
    for s, t, y in zip(student.tolist(), teacher.tolist(), labels):
        c = means[y].tolist()
        c_norm = math.sqrt(sum(v * v for v in c))
        e = [v / c_norm for v in c]
        s_norm = math.sqrt(sum(v * v for v in s))
        t_norm = math.sqrt(sum(v * v for v in t))
        dot = sum(a * b for a, b in zip(s, e))
        total += 1.0 - dot / max(s_norm, t_norm)
    return total / len(labels)


def _cos(a, b):
    return F.cosine_similarity(a, b, dim=-1)


# ------------------------------------------------------------------------------------------ ND loss


def test_nd_loss_student_norm_below_teacher_norm():
    # ‖s‖ = √2 < ‖t‖ = 5, y = 2, e = (1, 1)/√2: 1 − √2/5.
    s, t = torch.tensor([[1.0, 1.0]]), torch.tensor([[3.0, 4.0]])
    loss = NDLoss()
    loss.set_class_means(MEANS)
    out = loss(s, t, _samples([2]))
    assert out.item() == pytest.approx(1 - math.sqrt(2) / 5, abs=1e-6)
    assert out.item() == pytest.approx(_reference_nd(s, t, [2], MEANS), abs=1e-6)


def test_nd_loss_student_norm_above_teacher_norm():
    # ‖s‖ = 5 ≥ ‖t‖ = 1, y = 0, e = (1, 0): 1 − 3/5 = 1 − cos.
    s, t = torch.tensor([[3.0, 4.0]]), torch.tensor([[1.0, 0.0]])
    loss = NDLoss(loss_weight=2.0)
    loss.set_class_means(MEANS)
    out = loss(s, t, _samples([0]))
    assert out.item() == pytest.approx(2.0 * 0.4, abs=1e-6)
    assert out.item() == pytest.approx(2.0 * (1 - _cos(s[0], MEANS[0]).item()), abs=1e-6)


def test_nd_loss_mixed_batch_matches_loops():
    g = torch.Generator().manual_seed(0)
    means = torch.randn(5, 4, generator=g)
    s = torch.randn(6, 4, generator=g)
    t = torch.randn(6, 4, generator=g) * torch.tensor([0.1, 3, 0.1, 3, 0.1, 3]).unsqueeze(1)
    labels = [0, 1, 2, 3, 4, 1]
    norms_s, norms_t = s.norm(dim=1), t.norm(dim=1)
    assert (norms_s < norms_t).any() and (norms_s >= norms_t).any()  # both regimes present
    loss = NDLoss(loss_weight=1.0)
    loss.set_class_means(means)
    out = loss(s, t, _samples(labels))
    assert out.item() == pytest.approx(_reference_nd(s, t, labels, means), abs=1e-6)
    # The functional form with explicit labels (the detection path) gives the same number.
    assert nd_loss(s, t, torch.tensor(labels), means).item() == pytest.approx(out.item(), abs=1e-7)
    assert loss.loss_from_labels(s, t, torch.tensor(labels)).item() == pytest.approx(out.item())


def test_nd_loss_uses_teacher_norm_not_class_mean_norm():
    s, t = torch.tensor([[1.0, 1.0]]), torch.tensor([[3.0, 4.0]])
    labels = torch.tensor([2])
    base = nd_loss(s, t, labels, MEANS)
    # ‖c_2‖ = √2 = ‖s‖: with the class-mean norm in the max() the loss would be 1 − 1 = 0.
    assert base.item() == pytest.approx(1 - math.sqrt(2) / 5, abs=1e-6)
    assert base.item() > 0.5
    # Only the direction of the class mean matters...
    assert nd_loss(s, t, labels, MEANS * 100).item() == pytest.approx(base.item(), abs=1e-6)
    # ...while the per-sample teacher norm does.
    assert nd_loss(s, t * 2, labels, MEANS).item() == pytest.approx(1 - math.sqrt(2) / 10, abs=1e-6)


def test_nd_loss_gradient_direction():
    means = torch.tensor([[1.0, 1.0], [1.0, -1.0]])
    t = torch.tensor([[10.0, 0.0]])
    labels = torch.tensor([0])
    # ‖s‖ < ‖t‖: one SGD step lowers the loss, grows ‖s‖ and turns s toward c_0.
    s = torch.tensor([[1.0, 0.2]], requires_grad=True)
    teacher = t.clone().requires_grad_(True)
    loss = nd_loss(s, teacher, labels, means)
    loss.backward()
    assert teacher.grad is None or torch.all(teacher.grad == 0)  # nothing flows into the teacher
    s_new = (s - 0.5 * s.grad).detach()
    assert nd_loss(s_new, t, labels, means) < loss
    assert s_new.norm() > s.detach().norm()
    assert _cos(s_new[0], means[0]) > _cos(s.detach()[0], means[0])
    # ‖s‖ ≥ ‖t‖: the loss is 1 − cos; a step still lowers it and raises the cosine.
    s = torch.tensor([[20.0, 4.0]], requires_grad=True)
    loss = nd_loss(s, t, labels, means)
    loss.backward()
    s_new = (s - 20.0 * s.grad).detach()
    assert nd_loss(s_new, t, labels, means) < loss
    assert _cos(s_new[0], means[0]) > _cos(s.detach()[0], means[0])


def test_nd_loss_errors_and_bf16():
    loss = NDLoss()
    loss.set_class_means(MEANS)
    with pytest.raises(ValueError, match='labels must lie'):
        loss(torch.ones(1, 2), torch.ones(1, 2), _samples([3]))
    with pytest.raises(ValueError, match='NDProjector'):
        loss(torch.ones(1, 3), torch.ones(1, 2), _samples([0]))
    with pytest.raises(ValueError, match='data_samples'):
        loss(torch.ones(1, 2), torch.ones(1, 2), None)
    assert nd_loss(torch.zeros(0, 2), torch.zeros(0, 2), torch.zeros(0, dtype=torch.long),
                   MEANS).item() == 0.0
    # bf16 autocast: the embeddings arrive in bf16, the loss is computed and returned in fp32.
    lin = nn.Linear(4, 2)
    x = torch.randn(3, 4)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        s = lin(x)
        assert s.dtype == torch.bfloat16
        out = loss(s, s.detach() * 3, _samples([0, 1, 2]))
    assert out.dtype == torch.float32 and torch.isfinite(out)


def test_nd_loss_file_loading_eager_lazy_and_checks(tmp_path):
    path = tmp_path / 'means' / 'cm.pth'
    # Lazy: the file does not exist at construction (a before-train hook writes it later).
    loss = MODELS.build(dict(type='NDLoss', class_means=str(path), num_classes=3, embed_dim=2))
    assert loss.class_means is None
    with pytest.raises(FileNotFoundError, match='compute_class_means'):
        loss(torch.ones(1, 2), torch.ones(1, 2), _samples([0]))
    _save(path)
    out = loss(torch.tensor([[1.0, 1.0]]), torch.tensor([[3.0, 4.0]]), _samples([2]))
    assert out.item() == pytest.approx(1 - math.sqrt(2) / 5, abs=1e-6)
    assert 'class_means' not in loss.state_dict()  # non-persistent: never in checkpoints
    # A digest supplied later (by the distiller) is checked against the loaded file.
    with pytest.raises(ValueError, match='teacher_digest'):
        loss.update_expected(teacher_digest='0000000000000000')
    # Eager: the file exists, so it is loaded (and checked) at construction.
    eager = NDLoss(class_means=str(path), layer='neck[0]', teacher_digest='abcdef0123456789')
    assert torch.equal(eager.class_means, MEANS)
    with pytest.raises(ValueError, match="'layer'"):
        NDLoss(class_means=str(path), layer='backbone.3')
    # lazy_load=True defers even an existing (possibly stale) file to the first forward.
    assert NDLoss(class_means=str(path), num_classes=10, lazy_load=True).class_means is None


# ------------------------------------------------------------------------------- ND projector

def test_nd_projector_linear_init():
    """ImageNet: weight and bias ~ N(0, 0.01^2); CIFAR: default weight, zero bias."""
    torch.manual_seed(0)
    normal = NDProjector(512, 2048, linear_init='normal')
    assert abs(normal.fc.weight.std().item() - 0.01) < 5e-4
    assert abs(normal.fc.bias.std().item() - 0.01) < 1e-3 and normal.fc.bias.abs().max() > 0
    torch.manual_seed(0)
    zero_bias = NDProjector(64, 128, linear_init='zero_bias')
    torch.manual_seed(0)
    reference = nn.Linear(64, 128)
    assert torch.equal(zero_bias.fc.weight, reference.weight)
    assert (zero_bias.fc.bias == 0).all() and not (reference.bias == 0).all()
    assert NDProjector(4, 6).linear_init == 'default'
    with pytest.raises(ValueError, match='linear_init'):
        NDProjector(4, 6, linear_init='xavier')

    # The init survives a parent's blanket init_cfg, and an own init_cfg wins over it.
    class Parent(BaseModule):

        def __init__(self, init_cfg=None):
            super().__init__(init_cfg=dict(type='Constant', layer='Linear', val=1.0, bias=1.0))
            self.proj = NDProjector(4, 6, linear_init='zero_bias', init_cfg=init_cfg)

    parent = Parent()
    parent.init_weights()
    assert (parent.proj.fc.bias == 0).all() and (parent.proj.fc.weight == 1).all()
    parent = Parent(init_cfg=dict(type='Constant', layer='Linear', val=2.0, bias=2.0))
    parent.init_weights()
    assert (parent.proj.fc.bias == 2).all()


def test_nd_projector():
    proj = MODELS.build(dict(type='NDProjector', student_channels=4, teacher_channels=6))
    s, t = torch.randn(3, 4, 1, 1), torch.randn(3, 6)
    out, t_out, _ = proj(s, t)
    assert out.shape == (3, 6) and t_out is t
    with pytest.raises(ValueError, match='at least 2 samples'):
        proj(torch.randn(1, 4), torch.randn(1, 6))
    proj.eval()
    assert proj(torch.randn(1, 4), torch.randn(1, 6))[0].shape == (1, 6)
    with pytest.raises(ValueError, match='pooled'):
        proj(torch.randn(2, 4, 3, 3), t)


def test_nd_point_in_distiller_gets_labels():
    """NDProjector + NDLoss as one distillation point: the distiller passes the data samples."""
    from mmkd_ext.distillers.feature_distiller import DistillPoint
    loss = NDLoss(loss_weight=1.0)
    loss.set_class_means(torch.randn(3, 6))
    point = DistillPoint('nd', 'neck', 'neck', NDProjector(4, 6), loss)
    s = torch.randn(4, 4, requires_grad=True)
    out = point(s, torch.randn(4, 6), _samples([0, 1, 2, 0]))
    assert set(out) == {'distill.nd.loss_nd'} and torch.isfinite(out['distill.nd.loss_nd'])
    out['distill.nd.loss_nd'].backward()
    assert s.grad is not None and s.grad.abs().sum() > 0


@pytest.mark.parametrize('build, message', [
    (lambda: ClassMeansHook(on_mismatch='ignore'),
     r"ClassMeansHook: on_mismatch must be one of \('error', 'recompute'\), got 'ignore'"),
    (lambda: NDProjector(64, 128, linear_init='xavier'), r'NDProjector: linear_init must be one of'),
])
def test_an_impossible_setting_is_refused_with_its_name(build, message):
    """At construction, naming the hook or projector, the key and the choices."""
    with pytest.raises(ValueError, match=message):
        build()
