"""DiffKD's small networks: the noise predictor ε(x, t) and the adaptive-noise-matching adapter.

Both come in two variants: ``'map'`` for ``(B, C, H, W)`` feature maps and ``'vector'`` for logits or
pooled features, which are handled as ``(B, C, 1, 1)`` so that the same 1×1 convolutions and
BatchNorm2d apply. Convolutions followed by BatchNorm carry no bias: BatchNorm subtracts the
per-channel mean in training, so such a bias would be dead weight with a (numerically) zero gradient.

Every module here can count its own multiply-accumulates (``macs(h, w)``) per sample; BatchNorm,
ReLU, additions and the embedding lookup are not counted (they are negligible, and BatchNorm folds
into the convolution at deployment).
"""
from typing import List

import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from ...utils.errors import check_choice

KINDS = ('map', 'vector')
# Rows of the learned time-embedding table (the paper's networks use 1280 whatever T is).
TIME_EMBED_ROWS = 1280


def conv_macs(conv: nn.Conv2d, h: int, w: int) -> int:
    """Multiply-accumulates of ``conv`` for one sample at output size ``h × w`` (stride 1, same pad)."""
    kh, kw = conv.kernel_size
    return h * w * conv.out_channels * (conv.in_channels // conv.groups) * kh * kw


def _conv_bn(cin: int, cout: int, k: int = 1, relu: bool = False) -> List[nn.Module]:
    layers: List[nn.Module] = [nn.Conv2d(cin, cout, k, padding=k // 2, bias=False), nn.BatchNorm2d(cout)]
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return layers


def _seq_macs(seq: nn.Module, h: int, w: int) -> int:
    return sum(conv_macs(m, h, w) for m in seq.modules() if isinstance(m, nn.Conv2d))


class Bottleneck(nn.Module):
    """Residual bottleneck: 1×1 C→C/r +BN+ReLU, 3×3 C/r→C/r +BN+ReLU, 1×1 C/r→C +BN, plus identity.

    There is no ReLU after the addition, so the block can output negative values (noise is signed).

    Args:
        channels (int): C.
        reduction (int): r (the hidden width is ``max(C // r, 1)``).
    """

    def __init__(self, channels: int, reduction: int) -> None:
        super().__init__()
        hidden = max(channels // reduction, 1)
        self.body = nn.Sequential(
            *_conv_bn(channels, hidden, 1, relu=True),
            *_conv_bn(hidden, hidden, 3, relu=True),
            *_conv_bn(hidden, channels, 1))

    def forward(self, x: Tensor) -> Tensor:
        """``(B, C, H, W)`` → ``(B, C, H, W)``."""
        return x + self.body(x)

    def macs(self, h: int, w: int) -> int:
        """MACs per sample at ``h × w``."""
        return _seq_macs(self.body, h, w)


class NoisePredictor(nn.Module):
    """ε(x, t): predicts the noise in ``x`` at integer timestep ``t``.

    A learned table of ``1280 × C`` time embeddings is looked up by ``t`` and added to ``x`` per
    channel (broadcast over H, W); the body is then

    * ``'map'``: two :class:`Bottleneck` (r = 4) then 1×1 conv C→C + BN;
    * ``'vector'``: 1×1 C→4C +BN+ReLU, 4C→C +BN, C→4C +BN+ReLU, 4C→C (this last one with a bias, as
      nothing normalises it).

    Args:
        channels (int): C.
        kind (str): ``'map'`` or ``'vector'``.
    """

    def __init__(self, channels: int, kind: str = 'map') -> None:
        super().__init__()
        self.kind = check_choice(kind, KINDS, f'{type(self).__name__}: kind')
        self.time_embed = nn.Embedding(TIME_EMBED_ROWS, channels)
        if kind == 'map':
            self.body = nn.Sequential(
                Bottleneck(channels, 4), Bottleneck(channels, 4), *_conv_bn(channels, channels, 1))
        else:
            self.body = nn.Sequential(
                *_conv_bn(channels, 4 * channels, relu=True),
                *_conv_bn(4 * channels, channels),
                *_conv_bn(channels, 4 * channels, relu=True),
                nn.Conv2d(4 * channels, channels, 1))

    def forward(self, x: Tensor, t: Tensor) -> Tensor:
        """Predict the noise.

        Args:
            x (Tensor): ``(B, C, H, W)`` (``H = W = 1`` for vectors).
            t (Tensor): ``(B,)`` long timesteps in ``[0, 1280)``.

        Returns:
            Tensor: ε̂, ``(B, C, H, W)``.
        """
        return self.body(x + self.time_embed(t)[:, :, None, None])

    def macs(self, h: int, w: int) -> int:
        """MACs per sample for one evaluation at ``h × w`` (use 1 × 1 for vectors)."""
        return _seq_macs(self.body, h, w)


class NoiseAdapter(nn.Module):
    """Adaptive noise matching: predicts γ ∈ (0, 1) per sample from the projected student feature.

    * ``'map'``: one :class:`Bottleneck` (r = 8), then global average pooling;
    * ``'vector'``: 1×1 C→2C +BN+ReLU, 2C→C +BN;

    then ``Linear(C, 2)``, softmax, column 0. The denoising starts from ``γ·s + (1−γ)·ε``: γ → 1 means
    the student feature is taken as already at the first timestep's noise level.

    Args:
        channels (int): C.
        kind (str): ``'map'`` or ``'vector'``.
    """

    def __init__(self, channels: int, kind: str = 'map') -> None:
        super().__init__()
        self.kind = check_choice(kind, KINDS, f'{type(self).__name__}: kind')
        if kind == 'map':
            self.feat = Bottleneck(channels, 8)
        else:
            self.feat = nn.Sequential(*_conv_bn(channels, 2 * channels, relu=True),
                                      *_conv_bn(2 * channels, channels))
        self.pred = nn.Linear(channels, 2)

    def forward(self, x: Tensor) -> Tensor:
        """``(B, C, H, W)`` → γ, ``(B,)``."""
        feat = F.adaptive_avg_pool2d(self.feat(x), 1).flatten(1)
        return self.pred(feat).softmax(dim=1)[:, 0]

    def macs(self, h: int, w: int) -> int:
        """MACs per sample at ``h × w`` (the pooling is not counted)."""
        feat = self.feat.macs(h, w) if isinstance(self.feat, Bottleneck) else _seq_macs(self.feat, h, w)
        return feat + self.pred.in_features * self.pred.out_features
