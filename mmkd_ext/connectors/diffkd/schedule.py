"""The DiffKD noise schedule (linear betas) and the deterministic DDIM step.

The maths lives in pure functions (:func:`linear_alpha_bars`, :func:`ddim_timesteps`,
:func:`ddim_step`) so that they can be checked on their own; :class:`DiffusionSchedule` only holds
the ᾱ table as a buffer and indexes it.
"""
from typing import Any, List, Optional

import torch
import torch.nn as nn
from torch import Tensor


def linear_alpha_bars(num_train_timesteps: int = 1000,
                      beta_start: float = 1e-4,
                      beta_end: float = 0.02,
                      device: Any = None) -> Tensor:
    """ᾱ_t = Π_{i≤t} (1 − β_i) for betas spaced linearly from ``beta_start`` to ``beta_end``.

    The product is accumulated in float64 and only then rounded to float32: 1000 fp32 products
    drift by ~1e-6, which is harmless but needless.

    Args:
        num_train_timesteps (int): Number of diffusion steps T.
        beta_start (float): β_0.
        beta_end (float): β_{T−1}.
        device: Where to create the table.

    Returns:
        Tensor: ``(T,)`` float32, ᾱ_0 … ᾱ_{T−1} (decreasing from 1 − β_0).
    """
    betas = torch.linspace(beta_start, beta_end, num_train_timesteps, dtype=torch.float64)
    return torch.cumprod(1.0 - betas, dim=0).to(device=device, dtype=torch.float32)


def default_ddim_grid(inference_steps: int) -> int:
    """The DDIM grid DiffKD runs ``inference_steps`` of: twice as many steps, of which it runs the
    second half (5 → a 10-step grid, t = 400…0; 10 → 20 steps, t = 450…0; 3 → 6 steps, t = 332,
    166, 0), as the authors' sampler builds it."""
    return 2 * inference_steps


def ddim_timesteps(num_train_timesteps: int, grid_steps: int, run_steps: int) -> List[int]:
    """The last ``run_steps`` timesteps of a ``grid_steps``-step DDIM grid over ``num_train_timesteps``.

    The grid is the "leading" spacing: ``[(grid_steps − 1)·r, …, r, 0]`` with
    ``r = num_train_timesteps // grid_steps`` (1000 steps, 10-step grid → 900, 800, …, 0). DiffKD
    treats the student feature as already partly denoised, so it runs only the tail of the grid
    (with :func:`default_ddim_grid`: the second half, 400, 300, 200, 100, 0 for 5 steps).

    Args:
        num_train_timesteps (int): T.
        grid_steps (int): Number of steps of the full DDIM grid.
        run_steps (int): How many of its final steps are run (network evaluations).

    Returns:
        list[int]: Decreasing timesteps, ``run_steps`` long.
    """
    if not 1 <= run_steps <= grid_steps <= num_train_timesteps:
        raise ValueError(f'need 1 <= inference_steps ({run_steps}) <= ddim_grid ({grid_steps}) '
                         f'<= num_train_timesteps ({num_train_timesteps})')
    ratio = num_train_timesteps // grid_steps
    grid = [i * ratio for i in range(grid_steps - 1, -1, -1)]
    return grid[grid_steps - run_steps:]


def ddim_step(x: Tensor, eps: Tensor, alpha_bar_t: Tensor, alpha_bar_prev: Tensor) -> Tensor:
    """One deterministic (eta = 0) DDIM update with an epsilon-predicting model, no clipping.

    ``x̂0 = (x − √(1−ᾱ_t)·ε̂)/√ᾱ_t`` then ``x_prev = √ᾱ_prev·x̂0 + √(1−ᾱ_prev)·ε̂``. With
    ``ᾱ_prev = 1`` (the step past t = 0) this returns x̂0.

    Args:
        x (Tensor): The current sample ``x_t``, any shape.
        eps (Tensor): The predicted noise ε̂, same shape as ``x``.
        alpha_bar_t (Tensor): ᾱ_t, a scalar or broadcastable to ``x``.
        alpha_bar_prev (Tensor): ᾱ of the previous (less noisy) grid timestep.

    Returns:
        Tensor: ``x_prev``, same shape as ``x``.
    """
    x0 = (x - (1.0 - alpha_bar_t).sqrt() * eps) / alpha_bar_t.sqrt()
    return alpha_bar_prev.sqrt() * x0 + (1.0 - alpha_bar_prev).sqrt() * eps


class DiffusionSchedule(nn.Module):
    """Holds the ᾱ table and applies the forward noising and the DDIM loop's steps.

    The table is a fp32 *non-persistent* buffer: it follows the module across devices but never
    enters a checkpoint (it is a pure function of the three arguments). It is also kept fp32 when
    the module is cast (``.half()``, ``.to(torch.bfloat16)``): in the released DiffKD code the table
    was cast to fp16, where ᾱ near 1 rounds to 1 and √(1−ᾱ) collapses, so here any cast rebuilds
    the table in fp32 from the formula instead of rounding it.

    Args:
        num_train_timesteps (int): T. Defaults to 1000.
        beta_start (float): First beta. Defaults to 1e-4.
        beta_end (float): Last beta. Defaults to 0.02.
        ddim_grid (int, optional): Steps of the DDIM grid over T. Defaults to
            ``2 × inference_steps`` (:func:`default_ddim_grid`, the authors' grid).
        inference_steps (int): How many final grid steps the denoising runs. Defaults to 5.
    """

    def __init__(self,
                 num_train_timesteps: int = 1000,
                 beta_start: float = 1e-4,
                 beta_end: float = 0.02,
                 ddim_grid: Optional[int] = None,
                 inference_steps: int = 5) -> None:
        super().__init__()
        if ddim_grid is None:
            ddim_grid = default_ddim_grid(inference_steps)
        self.num_train_timesteps = num_train_timesteps
        self.beta_start = beta_start
        self.beta_end = beta_end
        self.ddim_grid = ddim_grid
        self.inference_steps = inference_steps
        self.step_ratio = num_train_timesteps // ddim_grid
        self.timesteps = ddim_timesteps(num_train_timesteps, ddim_grid, inference_steps)
        self.register_buffer('alphas_cumprod', self._table(None), persistent=False)

    def _table(self, device: Any) -> Tensor:
        return linear_alpha_bars(self.num_train_timesteps, self.beta_start, self.beta_end, device)

    def _apply(self, fn, *args, **kwargs):  # type: ignore[override]
        # nn.Module casts every floating buffer on .half()/.to(dtype); undo that for the table
        # by recomputing it in fp32 on whatever device it was moved to.
        out = super()._apply(fn, *args, **kwargs)
        table = self._buffers.get('alphas_cumprod')
        if table is not None and table.dtype != torch.float32:
            self._buffers['alphas_cumprod'] = self._table(table.device)
        return out

    def alpha_bar(self, t: Tensor) -> Tensor:
        """ᾱ at integer timesteps ``t`` (any shape, long); ``t < 0`` reads as ᾱ = 1.

        Returns:
            Tensor: fp32, same shape as ``t``.
        """
        t = torch.as_tensor(t, device=self.alphas_cumprod.device, dtype=torch.long)
        a = self.alphas_cumprod[t.clamp(min=0)]
        # "ᾱ at t = −100 is 1": the step after t = 0 returns the clean estimate x̂0.
        return torch.where(t < 0, torch.ones_like(a), a)

    def add_noise(self, z: Tensor, noise: Tensor, t: Tensor) -> Tensor:
        """Forward diffusion ``z_t = √ᾱ_t·z + √(1−ᾱ_t)·ε`` with one timestep per sample.

        Args:
            z (Tensor): Clean samples ``(B, ...)``.
            noise (Tensor): ε, same shape as ``z``.
            t (Tensor): ``(B,)`` long timesteps.

        Returns:
            Tensor: ``z_t``, same shape as ``z``.
        """
        a = self.alpha_bar(t).view(-1, *([1] * (z.dim() - 1)))
        return a.sqrt() * z + (1.0 - a).sqrt() * noise

    def step(self, x: Tensor, eps: Tensor, t: int) -> Tensor:
        """One DDIM (eta = 0) step from grid timestep ``t`` to ``t − step_ratio``.

        Args:
            x (Tensor): ``x_t``.
            eps (Tensor): ε̂(x_t, t), same shape.
            t (int): The current grid timestep.

        Returns:
            Tensor: ``x_{t − step_ratio}`` (x̂0 when ``t − step_ratio < 0``).
        """
        return ddim_step(x, eps, self.alpha_bar(torch.tensor(t)),
                         self.alpha_bar(torch.tensor(t - self.step_ratio)))
