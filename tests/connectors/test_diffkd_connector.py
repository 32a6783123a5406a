"""Tests of the DiffKD connector (mmkd_ext/connectors/diffkd) against the method facts in
/work/shared/specs/diffkd.md and, for the DDIM maths, against diffusers' DDIMScheduler."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmkd_ext.connectors import DiffKDDenoiser
from mmkd_ext.connectors.diffkd import (DiffusionSchedule, NoiseAdapter, NoisePredictor,
                                       ddim_timesteps, linear_alpha_bars)
from mmkd_ext.registry import MODELS


def _inputs(kind, cs, ct, b=2, h=4, w=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    if kind == 'map':
        return torch.randn(b, cs, h, w, generator=g), torch.randn(b, ct, h, w, generator=g)
    return torch.randn(b, cs, generator=g), torch.randn(b, ct, generator=g)


def _diffusers_scheduler():
    from diffusers import DDIMScheduler  # test-only dependency (scripts/setup_env.sh)
    sched = DDIMScheduler(num_train_timesteps=1000, beta_start=1e-4, beta_end=0.02,
                          beta_schedule='linear', clip_sample=False, set_alpha_to_one=True,
                          prediction_type='epsilon')
    sched.set_timesteps(10)
    return sched


# ---------------------------------------------------------------- schedule
def test_alpha_bar_values():
    sched = DiffusionSchedule()
    ab = sched.alpha_bar(torch.tensor([400, 300, 200, 100, 0]))
    expected = torch.tensor([0.1936, 0.3940, 0.6563, 0.8951, 0.9999])
    assert torch.allclose(ab, expected, atol=1e-4), ab
    # ᾱ "at t = −100" is 1, so the last DDIM step returns x̂0.
    assert sched.alpha_bar(torch.tensor(-100)).item() == 1.0
    assert sched.timesteps == [400, 300, 200, 100, 0]
    assert ddim_timesteps(1000, 10, 10) == list(range(900, -1, -100))
    with pytest.raises(ValueError):
        ddim_timesteps(1000, 10, 11)


@pytest.mark.parametrize('steps,expected', [(5, [400, 300, 200, 100, 0]),
                                            (10, list(range(450, -1, -50))),
                                            (3, [332, 166, 0]), (1, [0])])
def test_timestep_grid_is_the_second_half_of_a_2x_grid(steps, expected):
    """The authors' sampler: a DDIM grid of 2 x inference_steps steps over T, its second half."""
    conn = DiffKDDenoiser(4, 4, inference_steps=steps)
    assert conn.schedule.ddim_grid == 2 * steps
    assert conn.schedule.timesteps == expected
    assert conn.schedule.step_ratio == 1000 // (2 * steps)
    # An explicit grid is still honoured: 3 steps of a 10-step grid.
    assert DiffKDDenoiser(4, 4, inference_steps=3, ddim_grid=10).schedule.timesteps == [200, 100, 0]


def test_schedule_buffer_is_fp32_and_not_in_checkpoints():
    conn = DiffKDDenoiser(4, 4)
    assert 'schedule.alphas_cumprod' not in conn.state_dict()
    assert all('alphas' not in k for k in conn.state_dict())
    sched = DiffusionSchedule()
    reference = sched.alphas_cumprod.clone()
    sched.to(torch.bfloat16)
    assert sched.alphas_cumprod.dtype == torch.float32
    assert torch.equal(sched.alphas_cumprod, reference)
    sched.half()
    assert torch.equal(sched.alphas_cumprod, reference)


def test_schedule_matches_diffusers():
    ref = _diffusers_scheduler()
    assert ref.timesteps.tolist() == list(range(900, -1, -100))
    sched = DiffusionSchedule()
    # DiffKD runs the last 5 steps of diffusers' 10-step grid.
    assert sched.timesteps == ref.timesteps.tolist()[-5:]
    assert torch.allclose(linear_alpha_bars(), ref.alphas_cumprod.float(), atol=1e-6, rtol=0)

    g = torch.Generator().manual_seed(1)
    for t in (900, 400, 300, 100, 0):
        sample = torch.randn(2, 3, 4, 4, generator=g)
        eps = torch.randn(2, 3, 4, 4, generator=g)
        expected = ref.step(eps, t, sample, eta=0.0).prev_sample
        mine = sched.step(sample, eps, t)
        assert torch.allclose(mine, expected, atol=1e-5, rtol=1e-5), t


class _FakeNoiseNet(nn.Module):
    """A deterministic ε(x, t) so the connector's loop can be replayed with diffusers."""

    def forward(self, x, t):
        return 0.3 * torch.tanh(x) + t.float().view(-1, 1, 1, 1) / 1000.0


def test_denoise_loop_matches_diffusers_last_five_steps():
    ref = _diffusers_scheduler()
    conn = DiffKDDenoiser(3, 3, use_noise_adapter=False)
    conn.noise_net = _FakeNoiseNet()
    s = torch.randn(2, 3, 4, 4)
    mine = conn.denoise(s)

    x = s.clone()
    fake = _FakeNoiseNet()
    for t in ref.timesteps[-5:]:
        x = ref.step(fake(x, torch.full((2, ), int(t))), t, x, eta=0.0).prev_sample
    assert torch.allclose(mine, x, atol=1e-5, rtol=1e-5)


# ---------------------------------------------------------------- gradients
@pytest.mark.parametrize('kind,latent,adapter', [('map', 8, True), ('map', None, True),
                                                 ('map', None, False), ('vector', None, True)])
def test_every_parameter_gets_gradient(kind, latent, adapter):
    torch.manual_seed(0)
    cs, ct = 12, 16
    conn = DiffKDDenoiser(cs, ct, latent_channels=latent, kind=kind, use_noise_adapter=adapter)
    conn.train()
    student, teacher = _inputs(kind, cs, ct, b=3)
    student.requires_grad_(True)
    refined, target, losses = conn(student, teacher)
    c = latent or ct
    expected_shape = (3, c, 4, 3) if kind == 'map' else (3, c)
    assert refined.shape == target.shape == expected_shape
    assert not target.requires_grad
    assert set(losses) == ({'loss_diffusion', 'loss_ae'} if latent else {'loss_diffusion'})
    total = F.mse_loss(refined, target) + sum(losses.values())
    total.backward()
    for name, p in conn.named_parameters():
        assert p.grad is not None, f'{name} got no gradient'
        assert p.grad.abs().sum() > 0, f'{name} got a zero gradient'
    assert student.grad is not None and student.grad.abs().sum() > 0


def test_autoencoder_target_and_loss():
    torch.manual_seed(0)
    conn = DiffKDDenoiser(6, 10, latent_channels=4, ae_loss_weight=2.0, diffusion_loss_weight=0.5)
    student, teacher = _inputs('map', 6, 10)
    _, target, losses = conn(student, teacher)
    # Training mode: the encoder's BN normalises with the batch statistics.
    with torch.no_grad():
        enc = conn.autoencoder.encoder[0](teacher)
        mean, var = enc.mean((0, 2, 3), keepdim=True), enc.var((0, 2, 3), unbiased=False, keepdim=True)
        expected = (enc - mean) / torch.sqrt(var + 1e-5)  # fresh BN: weight 1, bias 0
        recon_loss = F.mse_loss(conn.autoencoder.decoder(expected), teacher)
    assert torch.allclose(target, expected, atol=1e-5)
    assert torch.allclose(losses['loss_ae'], 2.0 * recon_loss, atol=1e-6)

    # Without an autoencoder the target is the teacher feature itself.
    conn2 = DiffKDDenoiser(6, 10)
    _, target2, losses2 = conn2(student, teacher)
    assert torch.equal(target2, teacher) and 'loss_ae' not in losses2


def test_autoencoder_switch_and_default_latent_width():
    # Requested without a width: teacher_channels // 2, as the authors default it.
    conn = DiffKDDenoiser(6, 10, use_autoencoder=True)
    assert conn.channels == 5 and conn.autoencoder.encoder[0].out_channels == 5
    _, target, losses = conn(*_inputs('map', 6, 10))
    assert target.shape[1] == 5 and 'loss_ae' in losses
    # A width alone turns it on (as before); an explicit width wins over the default.
    assert DiffKDDenoiser(6, 10, latent_channels=4).channels == 4
    assert DiffKDDenoiser(6, 10, latent_channels=4, use_autoencoder=True).channels == 4
    assert DiffKDDenoiser(6, 10).autoencoder is None
    assert DiffKDDenoiser(6, 10, use_autoencoder=False).autoencoder is None
    with pytest.raises(ValueError, match='use_autoencoder=False'):
        DiffKDDenoiser(6, 10, latent_channels=4, use_autoencoder=False)
    with pytest.raises(ValueError, match='latent_channels'):
        DiffKDDenoiser(6, 1, use_autoencoder=True)


@pytest.mark.parametrize('kind', ['map', 'vector'])
def test_diffusion_loss_runs_after_the_denoising(kind):
    """The noise network sees the denoising steps first and the noised teacher target last, so
    its BatchNorm running statistics end on the diffusion-loss pass (the authors' order)."""
    conn = DiffKDDenoiser(6, 8, kind=kind)
    first_bn = next(m for m in conn.noise_net.modules() if isinstance(m, nn.BatchNorm2d))
    first_bn.momentum = 1.0  # running stats = the statistics of the last call
    calls = []

    def record_t(module, args):
        calls.append(args[1].tolist())

    def record_mean(module, args):
        calls[-1] = (calls[-1], args[0].detach().mean(dim=(0, 2, 3)))

    conn.noise_net.register_forward_pre_hook(record_t)
    first_bn.register_forward_pre_hook(record_mean)
    torch.manual_seed(0)
    conn(*_inputs(kind, 6, 8, b=4))
    timesteps = [t for t, _ in calls]
    assert [t[0] for t in timesteps[:5]] == [400, 300, 200, 100, 0]
    assert all(len(set(t)) == 1 for t in timesteps[:5])  # one grid timestep per denoising call
    assert len(timesteps) == 6  # then the diffusion loss, one random t per sample
    assert torch.allclose(first_bn.running_mean, calls[-1][1], atol=1e-6)


# ---------------------------------------------------------------- AMP, batch size, widths
@pytest.mark.parametrize('kind,latent', [('map', 8), ('vector', None)])
def test_bf16_autocast_runs_in_fp32(kind, latent):
    torch.manual_seed(0)
    conn = DiffKDDenoiser(12, 16, latent_channels=latent, kind=kind)
    conv_dtypes = set()
    for m in conn.modules():
        if isinstance(m, nn.Conv2d):
            m.register_forward_hook(lambda mod, inp, out: conv_dtypes.add(out.dtype))
    student, teacher = _inputs(kind, 12, 16)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        refined, target, losses = conn(student.bfloat16(), teacher.bfloat16())
        distill = F.mse_loss(refined, target)
    assert conv_dtypes == {torch.float32}
    for x in (refined, target, distill, *losses.values()):
        assert x.dtype == torch.float32
        assert torch.isfinite(x).all()


def test_batch_size_one():
    torch.manual_seed(0)
    conn = DiffKDDenoiser(6, 8).train()
    refined, target, losses = conn(*_inputs('map', 6, 8, b=1))
    assert refined.shape == (1, 8, 4, 3)
    assert all(torch.isfinite(v) for v in losses.values())

    vec = DiffKDDenoiser(6, 8, kind='vector').train()
    with pytest.raises(ValueError, match=r'batch size of at least 2 per GPU'):
        vec(*_inputs('vector', 6, 8, b=1))
    vec.eval()  # running statistics: a single sample is fine outside training
    refined, _, _ = vec(*_inputs('vector', 6, 8, b=1))
    assert refined.shape == (1, 8)


def test_width_mismatch_names_both_shapes():
    conn = DiffKDDenoiser(6, 8)
    with pytest.raises(ValueError) as err:
        conn(torch.randn(2, 5, 4, 4), torch.randn(2, 8, 4, 4))
    assert '(2, 5, 4, 4)' in str(err.value) and '(2, 8, 4, 4)' in str(err.value)
    with pytest.raises(ValueError) as err:
        conn(torch.randn(2, 6, 4, 4), torch.randn(2, 9, 4, 4))
    assert '(2, 6, 4, 4)' in str(err.value) and '(2, 9, 4, 4)' in str(err.value)
    with pytest.raises(ValueError, match='kind='):
        conn(torch.randn(2, 6), torch.randn(2, 8))
    with pytest.raises(ValueError):
        DiffKDDenoiser(6, 8, kind='logits')


# ---------------------------------------------------------------- randomness
def test_seeded_reproducibility():
    conn = DiffKDDenoiser(6, 8, latent_channels=4)
    student, teacher = _inputs('map', 6, 8)

    def run(seed):
        torch.manual_seed(seed)
        refined, _, losses = conn(student, teacher)
        return refined.detach(), losses['loss_diffusion'].detach()

    a, b, c = run(3), run(3), run(4)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[0], c[0]) and not torch.equal(a[1], c[1])


def test_without_adapter_the_start_point_is_the_student_feature():
    conn = DiffKDDenoiser(6, 8, use_noise_adapter=False)
    assert conn.noise_adapter is None
    s = torch.randn(2, 8, 3, 3)
    assert torch.equal(conn.initial_sample(s), s)
    student, teacher = _inputs('map', 6, 8)
    torch.manual_seed(0)
    r1, _, _ = conn(student, teacher)
    torch.manual_seed(1)
    r2, _, _ = conn(student, teacher)
    assert torch.equal(r1, r2)  # only the diffusion loss is random then


# ---------------------------------------------------------------- cost
def test_param_count_c256_maps_without_autoencoder():
    c = 256
    conn = DiffKDDenoiser(c, c)

    def bottleneck(ch, r):
        m = ch // r
        return ch * m + 2 * m + m * m * 9 + 2 * m + m * ch + 2 * ch  # convs (no bias) + BN affine

    expected = (
        c * c + c  # student 1×1 projection with bias
        + 1280 * c  # time-embedding table
        + 2 * bottleneck(c, 4) + c * c + 2 * c  # noise net: 2 bottlenecks + 1×1 conv + BN
        + bottleneck(c, 8) + c * 2 + 2  # noise adapter: bottleneck + Linear(C, 2)
        + c * c + 2 * c)  # output 1×1 conv + BN
    print('DiffKD C=256 maps, no autoencoder: parameters', conn.num_extra_params)
    assert expected == 693_122
    assert conn.num_extra_params == expected
    assert conn.param_breakdown()['total'] == expected


@pytest.mark.parametrize('kind,latent', [('map', 8), ('map', None), ('vector', None)])
def test_flop_estimate_matches_counted_forward(kind, latent):
    conn = DiffKDDenoiser(12, 16, latent_channels=latent, kind=kind)
    counted = [0]

    def hook(mod, inp, out):
        per_out = (mod.in_channels // mod.groups * mod.kernel_size[0] * mod.kernel_size[1]
                   if isinstance(mod, nn.Conv2d) else mod.in_features)
        counted[0] += out[0].numel() * per_out  # one sample

    for m in conn.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            m.register_forward_hook(hook)
    conn(*_inputs(kind, 12, 16, b=2, h=5, w=6))
    est = conn.estimate_flops(5, 6)
    assert est['total'] == counted[0]
    # the noise network runs 5 times for the denoising, once for the diffusion loss
    assert est['denoise'] == 5 * est['diffusion_loss']
    assert conn.estimate_flops(5, 6, include_diffusion_loss=False)['total'] == counted[0] - est[
        'diffusion_loss']


def test_build_from_registry():
    conn = MODELS.build(dict(type='DiffKDDenoiser', student_channels=6, teacher_channels=8,
                             latent_channels=4, kind='map'))
    assert isinstance(conn, DiffKDDenoiser)
    assert conn.student_channels == 6 and conn.teacher_channels == 8 and conn.channels == 4


@pytest.mark.parametrize('build, message', [
    (lambda: DiffKDDenoiser(8, 8, kind='grid'),
     r"DiffKDDenoiser: kind must be one of \('map', 'vector'\), got 'grid'"),
    (lambda: NoisePredictor(8, kind='grid'), r'NoisePredictor: kind must be one of'),
    (lambda: NoiseAdapter(8, kind='grid'), r'NoiseAdapter: kind must be one of'),
])
def test_an_impossible_kind_is_refused_with_its_name(build, message):
    """At construction, naming the module, the key and the choices."""
    with pytest.raises(ValueError, match=message):
        build()
