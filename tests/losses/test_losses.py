"""Tests of the distillation losses in mmkd_ext.losses.

Expected values are computed independently with plain-Python loops over tiny tensors.
"""
import math
from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F

from mmkd_ext.losses import (CosineDistanceLoss, CWDLoss, DISTLoss, DKDLoss, FeatureMSELoss,
                             FGDFeatureLoss, KDLoss)
from mmkd_ext.losses.utils import check_pair_shapes, gt_labels_from_data_samples

# --------------------------------------------------------------------------------------------------
# Plain-Python references


def _softmax(xs, tau=1.0):
    m = max(xs)
    e = [math.exp((x - m) / tau) for x in xs]
    z = sum(e)
    return [v / z for v in e]


def _kl(p, q):
    return sum(pi * math.log(pi / qi) for pi, qi in zip(p, q) if pi > 0)


def _pearson(a, b, eps=1e-8):
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    cov = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    na = math.sqrt(sum((x - ma)**2 for x in a))
    nb = math.sqrt(sum((y - mb)**2 for y in b))
    return cov / (na * nb + eps)


def _pixels(x):
    """(B, K, H, W) tensor -> list of per-pixel K-lists, in (b, h, w) order."""
    b, _, h, w = x.shape
    return [x[i, :, r, c].tolist() for i in range(b) for r in range(h) for c in range(w)]


def _dist_ref(s_rows, t_rows, tau, beta, gamma):
    p_s = [_softmax(r, tau) for r in s_rows]
    p_t = [_softmax(r, tau) for r in t_rows]
    inter = sum(1 - _pearson(a, b) for a, b in zip(p_s, p_t)) / len(p_s)
    k = len(p_s[0])
    intra = sum(1 - _pearson([r[j] for r in p_s], [r[j] for r in p_t]) for j in range(k)) / k
    return tau**2 * (beta * inter + gamma * intra)


def _data_samples(labels):
    """Real mmpretrain data samples when mmpretrain is installed, else stand-ins with gt_label."""
    try:
        from mmpretrain.structures import DataSample
    except ImportError:
        return [SimpleNamespace(gt_label=torch.tensor([y])) for y in labels]
    return [DataSample().set_gt_label(y) for y in labels]


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


# --------------------------------------------------------------------------------------------------
# Hand-computed values


def test_mse_values():
    s, t = torch.randn(2, 3, 2, 2), torch.randn(2, 3, 2, 2)
    sq = sum((a - b)**2 for a, b in zip(s.flatten().tolist(), t.flatten().tolist()))
    assert FeatureMSELoss()(s, t).item() == pytest.approx(sq / s.numel(), rel=1e-5)
    assert FeatureMSELoss(reduction='batchmean')(s, t).item() == pytest.approx(sq / 2, rel=1e-5)
    assert FeatureMSELoss(loss_weight=0.5)(s, t).item() == pytest.approx(0.5 * sq / s.numel(),
                                                                         rel=1e-5)
    v, w = torch.randn(3, 4), torch.randn(3, 4)
    sq = sum((a - b)**2 for a, b in zip(v.flatten().tolist(), w.flatten().tolist()))
    assert FeatureMSELoss()(v, w).item() == pytest.approx(sq / 12, rel=1e-5)
    with pytest.raises(ValueError, match='reduction'):
        FeatureMSELoss(reduction='sum_all')


def test_kd_values():
    tau = 2.0
    s, t = torch.randn(3, 4), torch.randn(3, 4)
    expected = tau**2 * sum(
        _kl(_softmax(tr, tau), _softmax(sr, tau)) for sr, tr in zip(s.tolist(), t.tolist())) / 3
    assert KDLoss(tau=tau)(s, t).item() == pytest.approx(expected, rel=1e-5)
    # The same quantity through torch's own batchmean KL.
    ref = F.kl_div(F.log_softmax(s / tau, 1), F.softmax(t / tau, 1), reduction='batchmean')
    assert KDLoss(tau=tau)(s, t).item() == pytest.approx(tau**2 * ref.item(), rel=1e-5)

    # Dense logits: class dim 1, mean over B·H·W positions.
    s, t = torch.randn(2, 3, 2, 2), torch.randn(2, 3, 2, 2)
    kls = [_kl(_softmax(tp, tau), _softmax(sp, tau)) for sp, tp in zip(_pixels(s), _pixels(t))]
    assert KDLoss(tau=tau)(s, t).item() == pytest.approx(tau**2 * sum(kls) / 8, rel=1e-5)


def test_cosine_values():
    s, t = torch.randn(3, 4), torch.randn(3, 4)

    def dist(a, b):
        dot = sum(x * y for x, y in zip(a, b))
        return 1 - dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))

    expected = sum(dist(a, b) for a, b in zip(s.tolist(), t.tolist())) / 3
    assert CosineDistanceLoss()(s, t).item() == pytest.approx(expected, rel=1e-5)

    s, t = torch.randn(2, 3, 2, 2), torch.randn(2, 3, 2, 2)
    expected = sum(dist(a, b) for a, b in zip(_pixels(s), _pixels(t))) / 8
    assert CosineDistanceLoss()(s, t).item() == pytest.approx(expected, rel=1e-5)

    # An all-zero student vector gives cosine 0 (distance 1), not NaN.
    zero = CosineDistanceLoss()(torch.zeros(1, 4), torch.randn(1, 4))
    assert zero.item() == pytest.approx(1.0)


def test_cwd_values():
    tau = 2.0
    s, t = torch.randn(2, 3, 2, 3), torch.randn(2, 3, 2, 3)
    total = 0.0
    for b in range(2):
        for c in range(3):
            total += _kl(_softmax(t[b, c].flatten().tolist(), tau),
                         _softmax(s[b, c].flatten().tolist(), tau))
    expected = tau**2 * total / (2 * 3)
    assert CWDLoss(tau=tau)(s, t).item() == pytest.approx(expected, rel=1e-5)


def test_dist_values():
    s, t = torch.randn(5, 4), torch.randn(5, 4)
    for beta, gamma, tau in [(1.0, 1.0, 1.0), (2.0, 0.5, 4.0), (1.0, 0.0, 1.0)]:
        expected = _dist_ref(s.tolist(), t.tolist(), tau, beta, gamma)
        got = DISTLoss(beta=beta, gamma=gamma, tau=tau)(s, t).item()
        assert got == pytest.approx(expected, rel=1e-4)

    # Dense logits: every pixel is one sample.
    s, t = torch.randn(2, 3, 2, 2), torch.randn(2, 3, 2, 2)
    expected = _dist_ref(_pixels(s), _pixels(t), 1.0, 1.0, 1.0)
    assert DISTLoss()(s, t).item() == pytest.approx(expected, rel=1e-4)


def test_dist_single_sample_is_finite():
    # One sample: every column is constant, so the intra term is 1 by the eps convention.
    loss = DISTLoss()(torch.randn(1, 5), torch.randn(1, 5))
    assert torch.isfinite(loss)


def test_dkd_values():
    tau, alpha, beta = 4.0, 1.0, 8.0
    s, t = torch.randn(3, 5) * 3, torch.randn(3, 5) * 3
    labels = [0, 2, 4]
    tckd = nckd = 0.0
    for sr, tr, y in zip(s.tolist(), t.tolist(), labels):
        ps, pt = _softmax(sr, tau), _softmax(tr, tau)
        tckd += _kl([pt[y], 1 - pt[y]], [ps[y], 1 - ps[y]])
        # Non-target distribution: the softmax over the other classes only.
        nckd += _kl(_softmax([v for k, v in enumerate(tr) if k != y], tau),
                    _softmax([v for k, v in enumerate(sr) if k != y], tau))
    expected = tau**2 * (alpha * tckd / 3 + beta * nckd / 3)
    got = DKDLoss(alpha=alpha, beta=beta, tau=tau)(s, t, _data_samples(labels))
    assert got.item() == pytest.approx(expected, rel=1e-4)


def test_dkd_with_mmpretrain_data_samples():
    structures = pytest.importorskip('mmpretrain.structures')
    samples = [structures.DataSample().set_gt_label(y) for y in (1, 0, 3)]
    assert DKDLoss.needs_data_samples
    s, t = torch.randn(3, 4), torch.randn(3, 4)
    loss = DKDLoss()(s, t, samples)
    assert loss.dim() == 0 and torch.isfinite(loss) and loss.item() > 0
    assert DKDLoss()(t, t, samples).item() == pytest.approx(0.0, abs=1e-5)
    labels = gt_labels_from_data_samples(samples, torch.device('cpu'))
    assert labels.dtype == torch.long and labels.tolist() == [1, 0, 3]


def test_dkd_errors():
    s, t = torch.randn(2, 4), torch.randn(2, 4)
    with pytest.raises(ValueError, match='data_samples'):
        DKDLoss()(s, t)
    with pytest.raises(ValueError, match='gt_label'):
        DKDLoss()(s, t, [SimpleNamespace(), SimpleNamespace()])
    with pytest.raises(ValueError, match='one label per sample'):
        DKDLoss()(s, t, _data_samples([1]))
    with pytest.raises(ValueError, match='labels must lie'):
        DKDLoss()(s, t, _data_samples([1, 4]))


# --------------------------------------------------------------------------------------------------
# Properties shared by every loss

# name -> (loss factory, input shape); DKD gets labels through _call
CASES = {
    'mse_map': (lambda: FeatureMSELoss(), (2, 3, 4, 4)),
    'mse_vec': (lambda: FeatureMSELoss(reduction='batchmean'), (2, 6)),
    'kd': (lambda: KDLoss(tau=2.0), (4, 5)),
    'kd_dense': (lambda: KDLoss(), (2, 5, 3, 3)),
    'cosine_map': (lambda: CosineDistanceLoss(), (2, 3, 4, 4)),
    'cosine_vec': (lambda: CosineDistanceLoss(), (3, 6)),
    'cwd': (lambda: CWDLoss(tau=2.0), (2, 3, 4, 4)),
    'dist': (lambda: DISTLoss(), (6, 5)),
    'dist_dense': (lambda: DISTLoss(tau=2.0), (2, 5, 3, 3)),
    'dkd': (lambda: DKDLoss(), (4, 5)),
}


def _call(loss, s, t):
    samples = _data_samples([i % s.shape[1] for i in range(s.shape[0])])
    return loss(s, t, samples) if loss.needs_data_samples else loss(s, t)


@pytest.mark.parametrize('case', sorted(CASES))
def test_zero_when_equal(case):
    make, shape = CASES[case]
    t = torch.randn(shape)
    assert _call(make(), t.clone(), t).item() == pytest.approx(0.0, abs=1e-5)


@pytest.mark.parametrize('case', sorted(CASES))
def test_gradient_and_sgd_step(case):
    make, shape = CASES[case]
    loss_fn = make()
    student = torch.nn.Parameter(torch.randn(shape))
    teacher = torch.randn(shape)
    opt = torch.optim.SGD([student], lr=0.1)
    before = _call(loss_fn, student, teacher)
    assert before.dim() == 0 and before.dtype == torch.float32
    before.backward()
    assert student.grad is not None and torch.isfinite(student.grad).all()
    assert student.grad.abs().sum() > 0
    opt.step()
    with torch.no_grad():
        after = _call(loss_fn, student, teacher)
    assert after.item() < before.item()


@pytest.mark.parametrize('case', sorted(CASES))
def test_bf16_autocast(case):
    make, shape = CASES[case]
    student = torch.randn(shape).bfloat16().requires_grad_()
    teacher = torch.randn(shape).bfloat16()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        loss = _call(make(), student, teacher)
    assert loss.dtype == torch.float32 and torch.isfinite(loss)
    loss.backward()
    assert student.grad is not None and torch.isfinite(student.grad.float()).all()


@pytest.mark.parametrize('case', sorted(CASES))
def test_shape_mismatch_names_both_shapes(case):
    make, shape = CASES[case]
    other = (shape[0], shape[1] + 1) + tuple(shape[2:])
    with pytest.raises(ValueError) as err:
        _call(make(), torch.randn(shape), torch.randn(other))
    assert str(tuple(shape)) in str(err.value) and str(other) in str(err.value)


@pytest.mark.parametrize('loss, shape', [(CWDLoss(), (2, 3)), (KDLoss(), (2, 3, 4)),
                                         (DISTLoss(), (2, 3, 4)), (DKDLoss(), (2, 3, 4, 4))])
def test_wrong_number_of_dims(loss, shape):
    x = torch.randn(shape)
    with pytest.raises(ValueError, match=r'student \(.*\) vs teacher \(.*\)'):
        _call(loss, x, x)


def test_check_pair_shapes_message():
    with pytest.raises(ValueError, match=r'student \(2, 3\) vs teacher \(2, 4\)'):
        check_pair_shapes(torch.zeros(2, 3), torch.zeros(2, 4), 'X')
    check_pair_shapes(torch.zeros(2, 3), torch.zeros(2, 3), 'X', dims=(2, ))


# --------------------------------------------------------------------------------------------------
# Registry: our names must resolve to our classes under every toolbox's default scope


@pytest.mark.parametrize('scope', ['mmdet', 'mmseg', 'mmpretrain'])
def test_registry_names_do_not_collide(scope):
    pytest.importorskip(f'{scope}.models')
    from mmengine.registry import DefaultScope

    from mmkd_ext.registry import MODELS
    ours = [CosineDistanceLoss, CWDLoss, DISTLoss, DKDLoss, FeatureMSELoss, KDLoss]
    with DefaultScope.overwrite_default_scope(scope):
        for cls in ours:
            assert type(MODELS.build(dict(type=cls.__name__))) is cls, (scope, cls.__name__)
        if scope == 'mmdet':
            # Control: the scope really is switched, so a toolbox name resolves to the toolbox.
            assert type(MODELS.build(dict(type='MSELoss'))).__module__.startswith('mmdet.')


@pytest.mark.parametrize('build, message', [
    (lambda: FGDFeatureLoss(fg_norm='boxes'), r"FGDFeatureLoss: fg_norm must be one of \(.*'box'"),
    (lambda: FGDFeatureLoss(fg_cells='all'), r'FGDFeatureLoss: fg_cells must be one of'),
    (lambda: FeatureMSELoss(reduction='max'), r"FeatureMSELoss: reduction must be one of .*'max'"),
    (lambda: KDLoss(tau=0), r'KDLoss: tau must be positive, got 0'),
    (lambda: CWDLoss(tau=-1.0), r'CWDLoss: tau must be positive, got -1.0'),
    (lambda: DISTLoss(tau=0.0), r'DISTLoss: tau must be positive'),
    (lambda: DKDLoss(tau=-4.0), r'DKDLoss: tau must be positive'),
    (lambda: FGDFeatureLoss(temperature=0), r'FGDFeatureLoss: temperature must be positive'),
])
def test_an_impossible_setting_is_refused_with_its_name(build, message):
    """At construction, naming the loss, the key and the choices."""
    with pytest.raises(ValueError, match=message):
        build()
