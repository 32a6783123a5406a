"""DiffKD (Huang et al., NeurIPS 2023): a diffusion model that denoises student features."""
from .autoencoder import LinearAutoencoder
from .denoiser import DiffKDDenoiser
from .noise_net import Bottleneck, NoiseAdapter, NoisePredictor
from .schedule import DiffusionSchedule, ddim_step, ddim_timesteps, linear_alpha_bars

__all__ = [
    'DiffKDDenoiser', 'LinearAutoencoder', 'Bottleneck', 'NoiseAdapter', 'NoisePredictor',
    'DiffusionSchedule', 'ddim_step', 'ddim_timesteps', 'linear_alpha_bars'
]
