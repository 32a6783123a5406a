"""Linear warm-up of distillation-point weights (the ND paper's "++" methods warm up the KD term)."""
import logging
from typing import Dict, Optional, Sequence, Union

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper

from ..registry import HOOKS


def warmup_factor(step: int, warmup: int) -> float:
    """``min(1, step / warmup)``: 0 at step 0, 1 from step ``warmup`` on.

    Args:
        step (int): The current epoch (or iteration), counted from 0.
        warmup (int): Length of the warm-up; ``0`` means no warm-up (factor 1).

    Returns:
        float: The multiplier in ``[0, 1]``.
    """
    if warmup <= 0:
        return 1.0
    return min(1.0, max(step, 0) / warmup)


@HOOKS.register_module()
class DistillLossWarmupHook(Hook):
    """Scale the weight of some distillation points by ``w = min(1, epoch / warmup_epochs)``.

    The ND paper's KD++/DKD++ ramp the logit-distillation term up linearly: ``w(epoch) =
    min(1, epoch / warm_up)`` with epochs counted from 0, so the term is off in epoch 0 and at full
    weight from epoch ``warm_up`` on (20 on CIFAR-100, 5 on ImageNet; the authors' ImageNet DKD++
    ramps the ND term too: ``points=['kd', 'nd']``). The hook sets
    ``distiller.points[name].weight = w · configured weight`` before every training epoch (or every
    iteration with ``by_epoch=False``, for iteration-based schedules); the distiller itself is
    untouched. The weight is a function of the epoch alone, so resuming needs no saved state.

    Args:
        points (str | Sequence[str]): Names of the distillation points to warm up (keys of the
            config's ``distill_points``), e.g. ``'kd'``.
        warmup_epochs (int, optional): Warm-up length in epochs (``by_epoch=True``).
        warmup_iters (int, optional): Warm-up length in iterations (``by_epoch=False``).
        by_epoch (bool): Step the weight per epoch (the paper) or per iteration. Defaults to True.

    Example:
        >>> custom_hooks = [dict(type='DistillLossWarmupHook', points='kd', warmup_epochs=5)]
    """

    # Before the other hooks' before_train_iter, so a logger sees the weight used for this step.
    priority = 'VERY_HIGH'

    def __init__(self,
                 points: Union[str, Sequence[str]],
                 warmup_epochs: Optional[int] = None,
                 warmup_iters: Optional[int] = None,
                 by_epoch: bool = True) -> None:
        self.point_names = [points] if isinstance(points, str) else list(points)
        if not self.point_names:
            raise ValueError('DistillLossWarmupHook: name at least one distillation point.')
        length = warmup_epochs if by_epoch else warmup_iters
        other = warmup_iters if by_epoch else warmup_epochs
        if length is None or other is not None:
            want, unit = ('warmup_epochs', 'epoch') if by_epoch else ('warmup_iters', 'iteration')
            raise ValueError(f'DistillLossWarmupHook(by_epoch={by_epoch}) warms up per {unit}: '
                             f'give {want} (and only it).')
        if length < 0:
            raise ValueError(f'DistillLossWarmupHook: the warm-up length must be >= 0, got '
                             f'{length}')
        self.warmup = int(length)
        self.by_epoch = by_epoch
        self.base_weights: Dict[str, float] = {}

    @staticmethod
    def _points(runner):
        """The distiller's points, or None for a plain model."""
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        return getattr(model, 'points', None)

    def before_train(self, runner) -> None:
        """Remember the configured weights (the model is freshly built: they are the config's)."""
        points = self._points(runner)
        if points is None:
            # E.g. the exported student_config.py of a distillation run, trained as a plain model.
            print_log('DistillLossWarmupHook: the model is not a distiller; nothing to warm up.',
                      logger='current', level=logging.WARNING)
            self.base_weights = {}
            return
        unknown = [n for n in self.point_names if n not in points]
        if unknown:
            raise KeyError(f'DistillLossWarmupHook: no distillation point named {unknown}; the '
                           f'points are {list(points)}.')
        self.base_weights = {name: float(points[name].weight) for name in self.point_names}

    def set_weights(self, runner, step: int) -> float:
        """Set every warmed-up point's weight to ``warmup_factor(step) x`` its configured weight.

        Args:
            runner: The MMEngine runner (its ``model`` is the distiller, possibly wrapped).
            step (int): The current epoch (``by_epoch``) or iteration, counted from 0.

        Returns:
            float: The factor applied.
        """
        factor = warmup_factor(step, self.warmup)
        if self.base_weights:
            points = self._points(runner)
            for name, base in self.base_weights.items():
                points[name].weight = base * factor
        return factor

    def before_train_epoch(self, runner) -> None:
        if self.by_epoch:
            self.set_weights(runner, runner.epoch)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        if not self.by_epoch:
            self.set_weights(runner, runner.iter)
