"""Before training: give the ND losses their teacher class means (computed when needed)."""
from typing import Optional

from mmengine.dist import broadcast_object_list, is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log

from ..registry import HOOKS
from ..utils.errors import check_choice
from .class_means_compute import (build_class_means_dataloader, class_means_problem,
                                  find_nd_targets, install_class_means, teacher_identity,
                                  unwrap_model, write_class_means)

ON_MISMATCH = ('error', 'recompute')


@HOOKS.register_module()
class ClassMeansHook(Hook):
    """Compute the teacher class means of every ND loss before training, when their file is missing.

    For each ND loss of the distiller (see :func:`mmkd_ext.nd.find_nd_targets`), the file its
    config names (``NDLoss(class_means=...)``) is checked against this run: teacher digest, teacher
    layer, number of classes and width.

    * missing file: the means are computed over the training split (with its augmentation, teacher
      in eval mode, progress bar on rank 0; all ranks share the work) and rank 0 writes the file;
    * mismatched file (another teacher, layer or shape): an error by default, naming the field;
      ``on_mismatch='recompute'`` recomputes and overwrites it instead;
    * finally every rank loads the file into its loss, which from then on expects this teacher.

    Rank 0 decides for all ranks (the decision is broadcast), so all of them take part in the
    computation and its all-reduce. Files are assumed to be on a file system every rank sees, as for
    MMEngine's checkpoints. Equivalent to running ``tools/compute_class_means.py`` beforehand.

    Args:
        on_mismatch (str): ``'error'`` (default) or ``'recompute'``.
        max_iters (int, optional): Use only this many batches per rank (partial means; for tests).
        allow_missing (bool): Store zero means for classes absent from the split instead of raising.
            Defaults to False.
        dataloader (dict, optional): A dataloader config to use instead of ``train_dataloader``.
    """

    priority = 'VERY_HIGH'  # before anything that could run the ND losses

    def __init__(self,
                 on_mismatch: str = 'error',
                 max_iters: Optional[int] = None,
                 allow_missing: bool = False,
                 dataloader: Optional[dict] = None) -> None:
        self.on_mismatch = check_choice(on_mismatch, ON_MISMATCH, 'ClassMeansHook: on_mismatch')
        self.max_iters = max_iters
        self.allow_missing = allow_missing
        self.dataloader = dataloader

    def before_train(self, runner) -> None:
        distiller = unwrap_model(runner.model)
        targets = find_nd_targets(distiller)
        if not targets:
            print_log('ClassMeansHook: the model has no ND loss; nothing to do.', logger='current',
                      level=30)
            return
        identity = teacher_identity(distiller, runner.cfg.model.get('teacher', {}))
        problems = [[class_means_problem(t, identity) for t in targets]
                    if is_main_process() else None]
        broadcast_object_list(problems)
        problems = problems[0]
        mismatched = [(t, p) for t, p in zip(targets, problems) if p not in (None, 'missing')]
        if mismatched and self.on_mismatch == 'error':
            details = '\n'.join(f'  {t.name}: {p}' for t, p in mismatched)
            raise ValueError(f'ClassMeansHook: class-means files that do not match this run:\n'
                             f'{details}\nDelete them, point the config elsewhere, or set '
                             f"ClassMeansHook(on_mismatch='recompute') to overwrite them.")
        todo = [t for t, p in zip(targets, problems) if p is not None]
        if todo:
            for target, problem in zip(targets, problems):
                if problem is not None:
                    why = 'missing' if problem == 'missing' else 'mismatched'
                    print_log(f'ClassMeansHook: computing the class means of "{target.name}" '
                              f'({why}) -> {target.loss.class_means_path}', logger='current')
            loader = build_class_means_dataloader(self.dataloader or runner.cfg.train_dataloader,
                                                  seed=runner.seed,
                                                  shuffle=self.max_iters is not None)
            write_class_means(distiller, loader, todo, identity, max_iters=self.max_iters,
                              allow_missing=self.allow_missing)
        install_class_means(targets, identity)
