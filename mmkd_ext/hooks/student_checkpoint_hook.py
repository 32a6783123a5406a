"""Write a student-only checkpoint beside every checkpoint the runner saves."""
import glob
import os
import os.path as osp
from typing import Optional

from mmengine.dist import master_only
from mmengine.hooks import CheckpointHook, Hook

from ..registry import HOOKS
from ..utils.export import export_student, student_config

STUDENT_SUFFIX = '_student.pth'


@HOOKS.register_module()
class StudentCheckpointHook(Hook):
    """Export ``<ckpt>_student.pth`` for each ``<ckpt>.pth`` and write ``student_config.py`` once.

    Runs with the lowest priority, after :class:`~mmengine.hooks.CheckpointHook` has saved, and
    exports from the saved file itself, so the export holds exactly the saved weights (EMA
    included). Nothing of the distillation machinery is in the export: it loads in the plain toolbox
    with ``student_config.py``.
    """

    priority = 'LOWEST'

    @master_only
    def before_train(self, runner) -> None:
        student_config(runner.cfg).dump(osp.join(runner.work_dir, 'student_config.py'))

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        self._export_new(runner)

    def after_train_epoch(self, runner) -> None:
        self._export_new(runner)

    def after_val_epoch(self, runner, metrics=None) -> None:
        self._export_new(runner)

    @master_only
    def _export_new(self, runner) -> None:
        for path in glob.glob(osp.join(self._checkpoint_dir(runner), '*.pth')):
            if path.endswith(STUDENT_SUFFIX):
                continue
            exported = path[:-len('.pth')] + STUDENT_SUFFIX
            if not osp.exists(exported) or os.stat(exported).st_mtime < os.stat(path).st_mtime:
                export_student(path, exported)

    @staticmethod
    def _checkpoint_dir(runner) -> str:
        hook: Optional[CheckpointHook] = next(
            (h for h in runner.hooks if isinstance(h, CheckpointHook)), None)
        return getattr(hook, 'out_dir', None) or runner.work_dir
