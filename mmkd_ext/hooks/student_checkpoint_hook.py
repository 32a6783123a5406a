"""Write a student-only checkpoint beside every checkpoint the runner saves."""
import glob
import os
import os.path as osp
import re
from typing import Optional

from mmengine.dist import master_only
from mmengine.hooks import CheckpointHook, Hook

from ..distillers.export import STUDENT_PREFIX, export_student, student_checkpoint, student_config
from ..registry import HOOKS

STUDENT_SUFFIX = '_student.pth'


@HOOKS.register_module()
class StudentCheckpointHook(Hook):
    """Export ``<ckpt>_student.pth`` for each ``<ckpt>.pth`` and write ``student_config.py`` once.

    Runs with the lowest priority, after :class:`~mmengine.hooks.CheckpointHook` has saved, and
    exports from the saved file itself, so the export holds exactly the saved weights (EMA
    included). Nothing of the distillation machinery is in the export: it loads in the plain toolbox
    with ``student_config.py``.

    Exports follow their checkpoints out: when ``CheckpointHook`` removes a checkpoint
    (``max_keep_ckpts``, or a superseded ``best_*`` one), its ``*_student.pth`` is removed too.
    Only the runner's own checkpoints (named by the hook's ``filename_tmpl`` or ``best_*``) are
    exported, and only their exports pruned; other ``.pth`` files in the folder (class means,
    your own files) are never touched.
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
        hook = self._checkpoint_hook(runner)
        folder = getattr(hook, 'out_dir', None) or runner.work_dir
        owned = self._owned_name_pattern(hook)
        for path in glob.glob(osp.join(folder, '*.pth')):
            if path.endswith(STUDENT_SUFFIX):
                source = path[:-len(STUDENT_SUFFIX)] + '.pth'
                if not osp.exists(source) and owned.fullmatch(osp.basename(source)):
                    os.remove(path)  # its checkpoint was pruned by CheckpointHook
                continue
            if not owned.fullmatch(osp.basename(path)):
                continue  # not a checkpoint of this runner (e.g. a class-means file)
            exported = path[:-len('.pth')] + STUDENT_SUFFIX
            if not osp.exists(exported) or os.stat(exported).st_mtime < os.stat(path).st_mtime:
                export_student(path, exported)

    @staticmethod
    def _checkpoint_hook(runner) -> Optional[CheckpointHook]:
        return next((h for h in runner.hooks if isinstance(h, CheckpointHook)), None)

    @staticmethod
    def _owned_name_pattern(hook: Optional[CheckpointHook]) -> 're.Pattern':
        """File names of the checkpoints ``hook`` saves and prunes: numbered ones and ``best_*``."""
        template = getattr(hook, 'filename_tmpl', None) or 'iter_{}.pth'
        numbered = re.escape(template).replace(re.escape('{}'), r'\d+')
        return re.compile(rf'{numbered}|best_.*\.pth')


@HOOKS.register_module()
class StudentWeightsHook(Hook):
    """Let a student-only run (``tools/test.py`` on a distillation config) load a distiller file.

    The checkpoint the user gave is loaded as it is, and the runner's log names it; once loaded,
    a distiller checkpoint is reduced to its student's weights (``student.`` dropped from the
    keys, connectors and losses left out) before they reach the model. No file is written.
    """

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('state_dict', checkpoint)
        if isinstance(state, dict) and any(str(k).startswith(STUDENT_PREFIX) for k in state):
            checkpoint['state_dict'] = student_checkpoint(checkpoint)['state_dict']
