"""Log every loss term's own gradient norm, and the state of chosen student modules, per iteration.

A diagnostic: it answers "which term drives the student where it goes" (for example a loss that
dominates the clipped update, or a feature that dies), which the summed loss and the total gradient
norm cannot tell.
"""
import csv
import math
import os.path as osp
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.hooks import Hook
from torch import Tensor

from ..registry import HOOKS


def module_state(name: str, out: Tensor) -> Dict[str, float]:
    """Summary statistics of a module output ``out`` (B, C, ...) over its batch.

    Returns:
        dict: ``<name>.norm`` (mean per-sample L2 norm), ``<name>.zero_frac`` (share of exact
        zeros: dead ReLU outputs), ``<name>.batch_std`` (per-channel std over the batch, averaged
        over channels: how much the samples still differ) and, for 2-D outputs (logits, pooled
        features), ``<name>.row_std`` (std across channels, averaged over samples: a collapsed
        classifier gives equal logits, row_std 0).
    """
    x = out.detach().float()
    flat = x.flatten(1)
    stats = {
        f'{name}.norm': flat.norm(dim=1).mean().item(),
        f'{name}.zero_frac': (flat == 0).float().mean().item(),
        f'{name}.batch_std': flat.std(dim=0).mean().item() if x.shape[0] > 1 else 0.0,
    }
    if x.dim() == 2:
        stats[f'{name}.row_std'] = x.std(dim=1).mean().item()
    return stats


def _norm(grads: Sequence[Optional[Tensor]]) -> float:
    """The L2 norm of a list of gradients (``None``: a parameter the loss does not reach)."""
    return math.sqrt(sum(float(g.float().pow(2).sum()) for g in grads if g is not None))


@HOOKS.register_module()
class LossTermGradHook(Hook):
    """Write, for every training iteration, each loss term's value and the L2 norm of its own
    gradient with respect to the trainable parameters, plus the state of some student modules.

    The gradient of each term is computed separately (``torch.autograd.grad`` with the graph kept)
    before the optimiser step, so the run itself is unchanged; it costs one extra backward per
    term. The optimiser's own clipped update is not touched: with ``clip_grad`` set, the share of a
    term in the update is its norm against the clipping threshold.

    Args:
        out_file (str): CSV file, relative to the work dir. Defaults to ``loss_terms.csv``.
        modules (Sequence[str]): Names of modules of the student (e.g. ``'neck'``,
            ``'head.fc'``) whose outputs are summarised (:func:`module_state`). Default: none.
        max_iters (int, optional): Stop logging after this many iterations.
    """

    priority = 'VERY_HIGH'

    def __init__(self, out_file: str = 'loss_terms.csv', modules: Sequence[str] = (),
                 max_iters: Optional[int] = None) -> None:
        self.out_file = out_file
        self.module_names = list(modules)
        self.max_iters = max_iters
        self.rows: List[Dict[str, float]] = []
        self._state: Dict[str, float] = {}
        self._path = ''

    @staticmethod
    def _student(model):
        model = getattr(model, 'module', model)  # DDP wrapper
        return getattr(model, 'student', model)

    def before_train(self, runner) -> None:
        self._path = osp.join(runner.work_dir, self.out_file)
        model = getattr(runner.model, 'module', runner.model)
        student = self._student(model)
        modules = dict(student.named_modules())
        for name in self.module_names:
            if name not in modules:
                raise ValueError(f'LossTermGradHook: the student has no module {name!r}')
            modules[name].register_forward_hook(self._recorder(name))
        params = [p for p in model.parameters() if p.requires_grad]
        original = model.parse_losses

        def parse_losses(losses: Dict[str, Tensor]):
            if model.training and (self.max_iters is None or runner.iter < self.max_iters):
                self._log(runner.iter, losses, params)
            return original(losses)

        model.parse_losses = parse_losses

    def _recorder(self, name: str):

        def hook(module, inputs, output):
            if module.training:
                out = output[-1] if isinstance(output, (tuple, list)) else output
                self._state.update(module_state(name, out))

        return hook

    def _log(self, iteration: int, losses: Dict[str, Tensor], params: List[Tensor]) -> None:
        row: Dict[str, float] = dict(iter=iteration + 1)
        # The total's gradient is the sum of the terms' own: accumulated, not a second backward.
        total: List[Optional[Tensor]] = [None] * len(params)
        for key, value in losses.items():
            if 'loss' not in key:
                continue
            term = value.mean() if isinstance(value, Tensor) else sum(v.mean() for v in value)
            row[key] = term.item()
            grads = torch.autograd.grad(term, params, retain_graph=True, allow_unused=True)
            row[f'grad_norm/{key}'] = _norm(grads)
            total = [t if g is None else g if t is None else t + g for t, g in zip(total, grads)]
        if len(row) > 1:
            row['grad_norm/total'] = _norm(total)
        row.update(self._state)
        self._state = {}
        self.rows.append(row)
        self._write()

    def _write(self) -> None:
        fields = list(dict.fromkeys(k for row in self.rows for k in row))
        with open(self._path, 'w', newline='') as f:
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            writer.writerows(self.rows)
