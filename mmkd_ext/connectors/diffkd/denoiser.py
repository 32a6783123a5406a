"""The DiffKD connector: denoise the student feature with a diffusion model trained on the teacher's."""
from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from ...registry import MODELS
from ...utils.amp import fp32_region
from ...utils.errors import check_choice, check_weight
from ..base import BaseConnector, ConnectorOutput
from .autoencoder import LinearAutoencoder
from .noise_net import KINDS, TIME_EMBED_ROWS, NoiseAdapter, NoisePredictor, conv_macs
from .schedule import DiffusionSchedule


@MODELS.register_module()
class DiffKDDenoiser(BaseConnector):
    """DiffKD ("Knowledge Diffusion for Distillation", Huang et al., NeurIPS 2023) as a connector.

    Training-time only; the deployed student does not contain any of this. Per forward:

    1. ``s = proj(S)``: 1×1 conv Cs→C with bias.
    2. Target ``z``: ``encode(T).detach()`` with the optional linear autoencoder (which gets the
       reconstruction loss ``loss_ae``), else ``T`` itself. C is the latent width, else Ct.
    3. Start point: ``x = γ·s + (1−γ)·ε`` with γ from the noise adapter and fresh ``ε ~ N(0, I)``.
       With ``use_noise_adapter=False`` (the paper's ablation without adaptive noise matching) the
       student feature is taken as it is as the sample at the first timestep: ``x = s`` with no added
       noise, i.e. its noise level is assumed to be that of the first grid timestep (t = 400 by
       default). (It is not re-noised with ``√ᾱ·s + √(1−ᾱ)·ε``: that would add a fixed amount of
       noise on top of the student's own, which is what the adapter exists to decide.)
    4. DDIM with eta = 0 over the last ``inference_steps`` timesteps of a ``ddim_grid``-step grid
       (by default the second half of a ``2 × inference_steps`` grid, as the authors build it:
       t = 400, 300, 200, 100, 0 for 5 steps; ᾱ past t = 0 is 1, so the last step yields x̂0).
       Not under ``no_grad``: the distillation loss trains the student, the projection, the noise
       network and the adapter through every step.
    5. ``refined = BN(conv1x1(x))`` (C→C), which the distillation loss compares with ``z``.
    6. ``loss_diffusion``: the noise network is trained on the target only:
       ``MSE(ε(√ᾱ_t·z + √(1−ᾱ_t)·ε, t), ε)`` with ``t ~ U{0..T−1}`` per sample. It runs *after*
       the denoising, as in the authors' code: the noise network's BatchNorm running statistics
       are an exponential average over its calls, so the call that comes last (here the pass on
       the noised teacher target) weighs most in the statistics used in eval mode.

    Everything runs in fp32 with autocast disabled, whatever the caller's AMP setting, and the
    outputs are fp32: ᾱ close to 1 and the 1/√ᾱ of the DDIM step are not safe in fp16.

    Feature maps ``(B, C, H, W)`` and vectors ``(B, K)`` (logits, pooled features; treated as
    ``(B, K, 1, 1)`` internally and returned as ``(B, K)``) need different networks, so ``kind`` is
    fixed at construction.

    Args:
        student_channels (int): Cs.
        teacher_channels (int): Ct.
        latent_channels (int, optional): Width C of the linear autoencoder's latent. Giving it
            turns the autoencoder on (unless ``use_autoencoder=False``, which is then an error).
        use_autoencoder (bool, optional): Use the linear autoencoder. ``None`` (the default): use
            it exactly when ``latent_channels`` is given. ``True`` without ``latent_channels``
            takes ``teacher_channels // 2`` as the latent width, the authors' default. Without the
            autoencoder C = Ct.
        kind (str): ``'map'`` (default) or ``'vector'``.
        use_noise_adapter (bool): Adaptive noise matching. Defaults to True.
        num_train_timesteps (int): Diffusion steps T. Defaults to 1000.
        beta_start (float): First beta of the linear schedule. Defaults to 1e-4.
        beta_end (float): Last beta. Defaults to 0.02.
        inference_steps (int): Denoising network evaluations (the last steps of the grid).
            Defaults to 5.
        ddim_grid (int, optional): Steps of the DDIM grid over T. Defaults to
            ``2 × inference_steps`` (the authors' grid: 10 for the default 5 steps).
        diffusion_loss_weight (float): λ2, multiplies ``loss_diffusion``. Defaults to 1.0.
        ae_loss_weight (float): λ3, multiplies ``loss_ae``. Defaults to 1.0.
        init_cfg (dict, optional): MMEngine initialisation config.
    """

    def __init__(self,
                 student_channels: int,
                 teacher_channels: int,
                 latent_channels: Optional[int] = None,
                 use_autoencoder: Optional[bool] = None,
                 kind: str = 'map',
                 use_noise_adapter: bool = True,
                 num_train_timesteps: int = 1000,
                 beta_start: float = 1e-4,
                 beta_end: float = 0.02,
                 inference_steps: int = 5,
                 ddim_grid: Optional[int] = None,
                 diffusion_loss_weight: float = 1.0,
                 ae_loss_weight: float = 1.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        check_choice(kind, KINDS, 'DiffKDDenoiser: kind')
        if num_train_timesteps > TIME_EMBED_ROWS:
            raise ValueError(f'num_train_timesteps ({num_train_timesteps}) exceeds the '
                             f'{TIME_EMBED_ROWS} rows of the time-embedding table')
        check_weight(diffusion_loss_weight, 'DiffKDDenoiser.diffusion_loss_weight')
        check_weight(ae_loss_weight, 'DiffKDDenoiser.ae_loss_weight')
        self.student_channels = student_channels
        self.teacher_channels = teacher_channels
        self.kind = kind
        self.use_noise_adapter = use_noise_adapter
        self.diffusion_loss_weight = diffusion_loss_weight
        self.ae_loss_weight = ae_loss_weight
        latent_channels = self._latent_width(teacher_channels, latent_channels, use_autoencoder)
        self.channels = teacher_channels if latent_channels is None else latent_channels

        c = self.channels
        self.student_proj = nn.Conv2d(student_channels, c, 1)
        self.autoencoder = (LinearAutoencoder(teacher_channels, latent_channels)
                            if latent_channels is not None else None)
        self.noise_net = NoisePredictor(c, kind)
        self.noise_adapter = NoiseAdapter(c, kind) if use_noise_adapter else None
        # No bias: BatchNorm follows.
        self.out_proj = nn.Sequential(nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c))
        self.schedule = DiffusionSchedule(num_train_timesteps, beta_start, beta_end, ddim_grid,
                                          inference_steps)

    @staticmethod
    def _latent_width(teacher_channels: int, latent_channels: Optional[int],
                      use_autoencoder: Optional[bool]) -> Optional[int]:
        """The autoencoder's latent width, or None for no autoencoder (see the class Args)."""
        if use_autoencoder is None:
            return latent_channels
        if not use_autoencoder:
            if latent_channels is not None:
                raise ValueError(f'DiffKDDenoiser: latent_channels={latent_channels} is the width '
                                 f'of the autoencoder, but use_autoencoder=False; drop one of them.')
            return None
        if latent_channels is not None:
            return latent_channels
        if teacher_channels < 2:
            raise ValueError(f'DiffKDDenoiser: the default latent width teacher_channels // 2 is 0 '
                             f'for teacher_channels={teacher_channels}; give latent_channels.')
        return teacher_channels // 2

    # ------------------------------------------------------------------ checks
    def _check_inputs(self, student: Tensor, teacher: Tensor) -> None:
        """Raise ValueError (naming both shapes) for inputs this connector cannot take."""
        shapes = f'student {tuple(student.shape)}, teacher {tuple(teacher.shape)}'
        if self.kind == 'map':
            if student.dim() != 4 or teacher.dim() != 4:
                raise ValueError(f"DiffKDDenoiser(kind='map') expects (B, C, H, W) features, got {shapes}")
        else:
            ok = all(x.dim() == 2 or (x.dim() == 4 and x.shape[2:] == (1, 1)) for x in (student, teacher))
            if not ok:
                raise ValueError(f"DiffKDDenoiser(kind='vector') expects (B, K) vectors, got {shapes}")
        if student.shape[1] != self.student_channels or teacher.shape[1] != self.teacher_channels:
            raise ValueError(
                f'DiffKDDenoiser was built for student_channels={self.student_channels}, '
                f'teacher_channels={self.teacher_channels} but got {shapes}')
        if student.shape[0] != teacher.shape[0] or student.shape[2:] != teacher.shape[2:]:
            raise ValueError(f'DiffKDDenoiser needs the same batch size and spatial size on both '
                             f'sides, got {shapes}')
        # BatchNorm in training mode needs >1 value per channel; the torch error would not say why.
        values_per_channel = student.shape[0] * (student.shape[2:].numel() if student.dim() == 4 else 1)
        if self.training and values_per_channel < 2:
            raise ValueError(
                f'DiffKDDenoiser(kind={self.kind!r}) got {shapes} in training mode: its BatchNorm '
                f'layers normalise (B, C, 1, 1) inputs over the batch and need at least 2 samples '
                f'per device. Use a batch size of at least 2 per GPU for this distillation point.')

    # ------------------------------------------------------------------ parts
    def diffusion_loss(self, target: Tensor) -> Tensor:
        """Unweighted training loss of the noise network on the (detached) target.

        Args:
            target (Tensor): ``z``, ``(B, C, H, W)``, fp32, no gradient.

        Returns:
            Tensor: scalar ``MSE(ε(z_t, t), ε)``, ``t ~ U{0..T−1}`` per sample.
        """
        b = target.shape[0]
        t = torch.randint(0, self.schedule.num_train_timesteps, (b, ), device=target.device)
        noise = torch.randn_like(target)
        noisy = self.schedule.add_noise(target, noise, t)
        return F.mse_loss(self.noise_net(noisy, t), noise)

    def initial_sample(self, s: Tensor) -> Tensor:
        """The denoising start point for the projected student feature ``s`` ``(B, C, H, W)``.

        Returns ``γ·s + (1−γ)·ε`` with the adapter, else ``s`` (see the class docstring).
        """
        if self.noise_adapter is None:
            return s
        gamma = self.noise_adapter(s).view(-1, 1, 1, 1)
        return gamma * s + (1.0 - gamma) * torch.randn_like(s)

    def denoise(self, s: Tensor) -> Tensor:
        """Run the DDIM loop (with gradient) from the student feature.

        Args:
            s (Tensor): The projected student feature ``(B, C, H, W)``, fp32.

        Returns:
            Tensor: The denoised feature x̂0, ``(B, C, H, W)`` (before the output projection).
        """
        x = self.initial_sample(s)
        for t in self.schedule.timesteps:
            t_batch = torch.full((x.shape[0], ), t, dtype=torch.long, device=x.device)
            x = self.schedule.step(x, self.noise_net(x, t_batch), t)
        return x

    def forward(self, student: Tensor, teacher: Tensor) -> ConnectorOutput:
        """Refine the student feature and compute the auxiliary losses.

        Args:
            student (Tensor): ``(B, Cs, H, W)`` for ``kind='map'``, ``(B, Cs)`` for ``'vector'``.
            teacher (Tensor): ``(B, Ct, H, W)`` or ``(B, Ct)``; detached here.

        Returns:
            tuple: ``(refined, target, losses)``, all fp32. ``refined`` and ``target`` are
            ``(B, C, H, W)`` (or ``(B, C)`` for vector inputs); ``losses`` has ``'loss_diffusion'``
            (times ``diffusion_loss_weight``) and, with the autoencoder, ``'loss_ae'`` (times
            ``ae_loss_weight``).
        """
        self._check_inputs(student, teacher)
        flat = student.dim() == 2
        losses: Dict[str, Tensor] = {}
        with fp32_region(student):
            s = student.float()
            t = teacher.detach().float()
            if flat:
                s, t = s[:, :, None, None], t[:, :, None, None]
            s = self.student_proj(s)
            if self.autoencoder is not None:
                latent, loss_ae = self.autoencoder(t)
                # The autoencoder learns from its reconstruction loss only, never from the targets.
                target = latent.detach()
            else:
                target = t
            refined = self.out_proj(self.denoise(s))
            # After the denoising, not before: see step 6 of the class docstring.
            losses['loss_diffusion'] = self.diffusion_loss_weight * self.diffusion_loss(target)
            if self.autoencoder is not None:
                losses['loss_ae'] = self.ae_loss_weight * loss_ae
        if flat:
            refined, target = refined.flatten(1), target.flatten(1)
        return refined, target, losses

    # ------------------------------------------------------------------ cost
    @property
    def num_extra_params(self) -> int:
        """Number of parameters this connector adds to training (buffers not counted)."""
        return sum(p.numel() for p in self.parameters())

    def param_breakdown(self) -> Dict[str, int]:
        """Parameter count per top-level part (``student_proj``, ``autoencoder``, ``noise_net``,
        ``noise_adapter``, ``out_proj``) plus ``'total'``."""
        out = {name: sum(p.numel() for p in mod.parameters()) for name, mod in self.named_children()
               if name != 'schedule'}
        out['total'] = self.num_extra_params
        return out

    def estimate_flops(self, height: int = 1, width: int = 1,
                       include_diffusion_loss: bool = True) -> Dict[str, int]:
        """Multiply-accumulates of the branch per sample (the convention the paper calls FLOPs).

        Counts every convolution (and the adapter's linear layer) once per evaluation: the noise
        network ``inference_steps`` times for the denoising plus once for the diffusion loss;
        everything else once. BatchNorm, activations, additions and pooling are not counted.

        Args:
            height (int): H of the feature map (ignored for ``kind='vector'``, which is 1 × 1).
            width (int): W.
            include_diffusion_loss (bool): Count the noise network's pass on the teacher target.

        Returns:
            dict: MACs per part (``student_proj``, ``autoencoder``, ``noise_adapter``, ``denoise``,
            ``diffusion_loss``, ``out_proj``) and their sum ``'total'``.
        """
        h, w = (1, 1) if self.kind == 'vector' else (height, width)
        per_eval = self.noise_net.macs(h, w)
        out = {
            'student_proj': conv_macs(self.student_proj, h, w),
            'autoencoder': self.autoencoder.macs(h, w) if self.autoencoder is not None else 0,
            'noise_adapter': self.noise_adapter.macs(h, w) if self.noise_adapter is not None else 0,
            'denoise': len(self.schedule.timesteps) * per_eval,
            'diffusion_loss': per_eval if include_diffusion_loss else 0,
            'out_proj': conv_macs(self.out_proj[0], h, w),
        }
        out['total'] = sum(out.values())
        return out
