"""Keep the random state in checkpoints, so that a resumed run draws what an uninterrupted one draws.

MMEngine's resume restores weights, optimizer, schedulers and the data order, but not the random
number generators: it seeds them again as at the start of training. Whatever draws from them
during the training step then differs after a resume, e.g. the anchor and RoI samplers of a
two-stage detector (``torch.randperm``), Dropout, DiffKD's noise, or data augmentation that runs
in the main process. This hook saves the generators' states with every checkpoint and restores
them exactly where the uninterrupted run was: right before the first batch after the resume is
loaded.
"""
import logging
import random
from typing import Any, Dict, List, Optional

import numpy as np
import torch
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import CheckpointHook, Hook
from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop

from ..registry import HOOKS

#: Key of the per-rank states in the checkpoint.
CHECKPOINT_KEY = 'random_state'

RandomState = Dict[str, Any]


def capture_random_state() -> RandomState:
    """The states of torch (CPU and every CUDA device), numpy and Python's ``random``.

    Returns:
        dict: Tensors, ints, floats, strings and tuples only, so a checkpoint holding it still
        loads with torch's ``weights_only=True``.
    """
    numpy_state = np.random.get_state(legacy=False)
    state = dict(
        torch=torch.get_rng_state(),
        numpy=dict(key=torch.from_numpy(numpy_state['state']['key'].astype(np.int64)),
                   pos=int(numpy_state['state']['pos']), has_gauss=int(numpy_state['has_gauss']),
                   gauss=float(numpy_state['gauss'])),
        python=random.getstate())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def restore_random_state(state: RandomState) -> None:
    """Set the generators to a state from :func:`capture_random_state`."""
    torch.set_rng_state(state['torch'])
    numpy_state = state['numpy']
    np.random.set_state(dict(
        bit_generator='MT19937',
        state=dict(key=numpy_state['key'].numpy().astype(np.uint32), pos=numpy_state['pos']),
        has_gauss=numpy_state['has_gauss'], gauss=numpy_state['gauss']))
    random.setstate(state['python'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


class _RestoreBeforeBatch:
    """Wraps a dataloader iterator: restores a random state right before batch ``skip + 1``.

    ``IterBasedTrainLoop`` replays (and discards) the batches of the iterations already trained
    before it loads the next one; the generators must be restored after that replay and before
    that load, with no hook in between.
    """

    def __init__(self, iterator, skip: int, state: RandomState) -> None:
        self.iterator = iterator
        self.skip = skip
        self.state: Optional[RandomState] = state

    def __iter__(self) -> '_RestoreBeforeBatch':
        return self

    def __next__(self):
        if self.skip == 0 and self.state is not None:
            restore_random_state(self.state)
            self.state = None
        self.skip -= 1
        return next(self.iterator)


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Save the random generators' states with every checkpoint; restore them on resume.

    The states are captured at the end of each training iteration (epoch-based: each epoch),
    before :class:`~mmengine.hooks.CheckpointHook` saves; when it saves, the states of all ranks
    are gathered and stored under ``checkpoint['random_state']`` (a list indexed by rank).
    On resume each rank gets its own back: iteration-based, right before the first batch after
    the resume is loaded (after the loop replayed the batches already trained); epoch-based, at
    the start of the next epoch. A checkpoint written by another number of processes, or
    without the states, is resumed as MMEngine does it (with a warning saying so).
    """

    priority = 'NORMAL'  # before CheckpointHook (VERY_LOW) saves at the end of the iteration

    def __init__(self) -> None:
        self._states: Optional[List[RandomState]] = None
        self._resumed: Optional[RandomState] = None

    # ------------------------------------------------------------------------------- saving

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        self._capture(runner, by_epoch=False)

    def after_train_epoch(self, runner) -> None:
        self._capture(runner, by_epoch=True)

    def _capture(self, runner, by_epoch: bool) -> None:
        local = capture_random_state()
        if get_world_size() == 1:
            self._states = [local]
        elif self._checkpoint_due(runner, by_epoch):  # a collective, only when it is needed
            self._states = all_gather_object(local)

    @staticmethod
    def _checkpoint_due(runner, by_epoch: bool) -> bool:
        """Whether the runner's CheckpointHook saves at the end of this iteration / epoch."""
        hook = next((h for h in runner.hooks if isinstance(h, CheckpointHook)), None)
        if hook is None or hook.by_epoch != by_epoch:
            return False
        begin = getattr(hook, 'save_begin', 0)
        if by_epoch:
            return hook.every_n_epochs(runner, hook.interval, begin) or \
                (hook.save_last and hook.is_last_train_epoch(runner))
        return hook.every_n_train_iters(runner, hook.interval, begin) or \
            (hook.save_last and hook.is_last_train_iter(runner))

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if self._states is not None:
            checkpoint[CHECKPOINT_KEY] = self._states

    # ---------------------------------------------------------------------------- restoring

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if not runner._resume:
            return  # load_from: a new training, with a fresh random state
        states = checkpoint.get(CHECKPOINT_KEY)
        if states is None or len(states) != get_world_size():
            why = ('the checkpoint holds no random state (written without RandomStateHook)'
                   if states is None else
                   f'it was written by {len(states)} processes, this run has {get_world_size()}')
            print_log(f'RandomStateHook: the random generators are not restored ({why}); the '
                      f'resumed run draws other random numbers than an uninterrupted one '
                      f'(e.g. the RoI samplers of two-stage detectors).', logger='current',
                      level=logging.WARNING)
            return
        self._resumed = states[get_rank()]

    def before_train_epoch(self, runner) -> None:
        if self._resumed is None:
            return
        loop = runner.train_loop
        if isinstance(loop, IterBasedTrainLoop):
            loop.dataloader_iterator = _RestoreBeforeBatch(loop.dataloader_iterator, loop.iter,
                                                           self._resumed)
        else:
            restore_random_state(self._resumed)
        self._resumed = None
