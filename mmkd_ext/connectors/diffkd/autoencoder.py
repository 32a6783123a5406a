"""DiffKD's linear autoencoder, which compresses the teacher feature before diffusion."""
from typing import Tuple

import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from .noise_net import conv_macs


class LinearAutoencoder(nn.Module):
    """Encoder 1×1 conv Ct→C + BatchNorm, decoder 1×1 conv C→Ct; no activation anywhere.

    The noise network's cost grows with C², so a wide teacher (2048 channels) is compressed to a
    smaller latent. The encoder conv has no bias (BatchNorm follows it); the decoder has one, since
    it must reproduce the teacher's per-channel offsets.

    Args:
        teacher_channels (int): Ct.
        latent_channels (int): C.
    """

    def __init__(self, teacher_channels: int, latent_channels: int) -> None:
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(teacher_channels, latent_channels, 1, bias=False), nn.BatchNorm2d(latent_channels))
        self.decoder = nn.Conv2d(latent_channels, teacher_channels, 1)

    def forward(self, teacher: Tensor) -> Tuple[Tensor, Tensor]:
        """Encode the teacher feature and score the reconstruction.

        Args:
            teacher (Tensor): ``(B, Ct, H, W)``.

        Returns:
            tuple: ``(latent, recon_loss)``: the latent ``(B, C, H, W)`` (with gradient, the caller
            detaches it for use as a target) and the scalar MSE between the teacher feature and
            ``decode(encode(teacher))``.
        """
        latent = self.encoder(teacher)
        return latent, F.mse_loss(self.decoder(latent), teacher)

    def macs(self, h: int, w: int) -> int:
        """MACs per sample at ``h × w`` (encoder + decoder)."""
        return conv_macs(self.encoder[0], h, w) + conv_macs(self.decoder, h, w)
