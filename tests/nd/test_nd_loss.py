"""Tests of the PEFD connectors, the ND loss and the class-means file / accumulator."""
import math
import warnings

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmkd_ext.connectors.logit_projector import LogitProjector
from mmkd_ext.connectors.projector_ensemble import ProjectorEnsemble
from mmkd_ext.nd import (ClassMeanAccumulator, NDLoss, NDProjector, load_class_means, nd_loss,
                         read_class_means, save_class_means, teacher_digest)
from mmkd_ext.registry import MODELS
from mmkd_ext.utils.digest import state_dict_digest

torch.set_num_threads(1)

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


MEANS = torch.tensor([[2.0, 0.0], [0.0, 3.0], [1.0, 1.0]])


def _save(path, means=MEANS, digest='abcdef0123456789', layer='neck[0]'):
    save_class_means(str(path), means, torch.full((means.shape[0], ), 7), layer=layer,
                     teacher_config='configs/teacher.py', teacher_checkpoint='teacher.pth',
                     teacher_digest=digest)


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


# ----------------------------------------------------------------------------- class-means file


def test_class_means_round_trip(tmp_path):
    path = tmp_path / 'cm.pth'
    _save(path)
    raw = torch.load(str(path), weights_only=True)
    assert raw['version'] == 1 and raw['num_classes'] == 3 and raw['embed_dim'] == 2
    assert raw['class_means'].dtype == torch.float32 and raw['counts'].dtype == torch.long
    rec = read_class_means(str(path))
    assert rec['layer'] == 'neck[0]' and rec['teacher_checkpoint'] == 'teacher.pth'
    means = load_class_means(str(path), dict(teacher_digest='abcdef0123456789', layer='neck[0]',
                                             num_classes=3, embed_dim=2))
    assert torch.equal(means, MEANS)


@pytest.mark.parametrize('field,value', [('teacher_digest', 'ffffffffffffffff'),
                                         ('layer', 'backbone.3'), ('num_classes', 81),
                                         ('embed_dim', 1024)])
def test_class_means_mismatch_names_field(tmp_path, field, value):
    path = tmp_path / 'cm.pth'
    _save(path)
    with pytest.raises(ValueError) as err:
        load_class_means(str(path), {field: value})
    msg = str(err.value)
    recorded = read_class_means(str(path))[field]
    assert repr(field) in msg and repr(value) in msg and repr(recorded) in msg
    assert 'compute_class_means' in msg


def test_teacher_digest(tmp_path):
    model = nn.Linear(3, 2)
    ckpt = tmp_path / 't.pth'
    torch.save(model.state_dict(), str(ckpt))
    d_file = teacher_digest(str(ckpt), model)
    assert len(d_file) == 16 and d_file == teacher_digest(str(ckpt))
    d_model = teacher_digest(None, model)
    assert d_model == state_dict_digest(model.state_dict())
    with torch.no_grad():
        model.weight[0, 0] += 1
    assert teacher_digest(None, model) != d_model
    with pytest.raises(ValueError):
        teacher_digest('http://example.com/missing.pth')


def test_accumulator_equals_direct_mean():
    g = torch.Generator().manual_seed(1)
    emb = torch.randn(50, 4, generator=g)
    labels = torch.randint(0, 4, (50, ), generator=g)
    labels[:4] = torch.arange(4)  # every class present
    acc = ClassMeanAccumulator(4, 4)
    for chunk in range(0, 50, 7):
        acc.update(emb[chunk:chunk + 7], labels[chunk:chunk + 7])
    acc.all_reduce()  # not distributed: a no-op
    means = acc.means()
    for k in range(4):
        rows = [emb[i] for i in range(50) if labels[i] == k]
        direct = torch.stack(rows).sum(0) / len(rows)
        assert torch.allclose(means[k], direct, atol=1e-6)
        assert acc.counts[k].item() == len(rows)
    with pytest.raises(RuntimeError):
        acc.all_reduce()


def test_accumulator_unseen_classes():
    acc = ClassMeanAccumulator(3, 2)
    acc.update(torch.ones(2, 2), torch.tensor([0, 0]))
    with pytest.raises(ValueError, match=r'2 of 3 classes'):
        acc.means()
    with pytest.warns(UserWarning, match='zeros'):
        means = acc.means(allow_missing=True)
    assert torch.equal(means[1:], torch.zeros(2, 2)) and torch.equal(means[0], torch.ones(2))
    with pytest.raises(ValueError, match=r'\[0, 3\)'):
        acc.update(torch.ones(1, 2), torch.tensor([3]))


def _dist_worker(rank, init_file, result_file):
    import torch.distributed as dist
    dist.init_process_group('gloo', init_method=f'file://{init_file}', rank=rank, world_size=2)
    acc = ClassMeanAccumulator(2, 1)
    # rank 0 sees class 0 twice (1, 3); rank 1 sees class 0 once (5) and class 1 once (10).
    if rank == 0:
        acc.update(torch.tensor([[1.0], [3.0]]), torch.tensor([0, 0]))
    else:
        acc.update(torch.tensor([[5.0], [10.0]]), torch.tensor([0, 1]))
    means = acc.all_reduce().means()
    if rank == 0:
        torch.save({'means': means, 'counts': acc.counts}, result_file)
    dist.destroy_process_group()


def test_accumulator_all_reduce_two_ranks(tmp_path):
    import torch.multiprocessing as mp
    result = tmp_path / 'result.pth'
    # fork: the children inherit the imported modules instead of re-importing mmkd_ext (seconds).
    mp.start_processes(_dist_worker, args=(str(tmp_path / 'init'), str(result)), nprocs=2,
                       start_method='fork')
    out = torch.load(str(result), weights_only=True)
    assert torch.allclose(out['means'], torch.tensor([[3.0], [10.0]]))
    assert out['counts'].tolist() == [3, 1]


# -------------------------------------------------------------------------------- connectors


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
