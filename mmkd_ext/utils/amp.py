"""Helpers that keep distillation maths in fp32 under automatic mixed precision."""
from contextlib import contextmanager
from typing import Iterator

import torch
from torch import Tensor


@contextmanager
def fp32_region(reference: Tensor) -> Iterator[None]:
    """Disable autocast for the device of ``reference`` inside the block.

    Under fp16/bf16 autocast, softmax/log/exp of distillation losses and the diffusion schedule
    lose precision or overflow; the callers cast their inputs with ``.float()`` inside this block.
    """
    device_type = reference.device.type if reference.device.type in ('cuda', 'cpu') else 'cpu'
    with torch.autocast(device_type=device_type, enabled=False):
        yield
