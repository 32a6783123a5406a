"""The frozen teacher: built from its own config, loaded from its own checkpoint, run partially."""
import os
import os.path as osp
import warnings
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.config import Config, ConfigDict
from mmengine.registry import MODELS, DefaultScope
from torch import Tensor

from ..checkpoint import read_checkpoint, state_dict_of
from ..utils.errors import InputError, InputFileNotFoundError, closest_names
from .export import STUDENT_PREFIX
from .recorder import INPUT_SUFFIX, RecorderSet, first_component

MAX_LISTED_KEYS = 10


class _TeacherDone(Exception):
    """Raised from a forward hook to stop the teacher once every recorded module has run."""


def load_model_config(config: str, what: str = 'Teacher config (model.teacher.config)') -> Config:
    """Load a config from a path or an OpenMMLab ``pkg::path`` reference.

    Args:
        config (str): The path, or ``pkg::path`` of a config shipped with an installed toolbox.
        what (str): Which config and where it is set; starts every error message.

    Returns:
        Config: The loaded config.

    Raises:
        InputFileNotFoundError: The file (or the toolbox's config) does not exist.
        InputError: The file is not a valid Python config.
    """
    if '::' in config:
        from mmengine.hub import get_config
        try:
            return get_config(config)
        except (FileNotFoundError, ModuleNotFoundError, ImportError, KeyError) as err:
            raise InputFileNotFoundError(
                f'{what} "{config}" cannot be found: {err}. A package reference is '
                f'"<package>::<path inside its configs/>", e.g. '
                f'"mmdet::faster_rcnn/faster-rcnn_r101_fpn_2x_coco.py".') from None
    if not osp.isfile(config):
        folder = osp.dirname(config) or '.'
        close = closest_names(osp.basename(config), os.listdir(folder)) \
            if osp.isdir(folder) else []
        hint = f'Closest names in {folder}/: {close}. ' if close else ''
        raise InputFileNotFoundError(
            f'{what} "{config}" does not exist. {hint}Give a path or a package reference such as '
            f'"mmdet::faster_rcnn/faster-rcnn_r101_fpn_2x_coco.py".')
    try:
        return Config.fromfile(config)
    except (SyntaxError, NameError, ImportError, AttributeError, KeyError, TypeError,
            ValueError) as err:
        where = f' (line {err.lineno})' if getattr(err, 'lineno', None) else ''
        reason = str(err).strip().splitlines()[0] if str(err).strip() else ''
        raise InputError(f'{what} "{config}" cannot be loaded{where}: {type(err).__name__}: '
                         f'{reason}. Fix the file (MMKD_TRACEBACK=1 shows where MMEngine failed).'
                         ) from None


def build_teacher_model(config: Optional[str] = None,
                        model: Optional[dict] = None,
                        cfg_options: Optional[dict] = None) -> nn.Module:
    """Build the teacher network from its config file (or a model dict) under its own default scope.

    Args:
        config (str, optional): Path or ``pkg::path`` of the teacher's training config.
        model (dict, optional): A model dict, used instead of ``config`` (or to override its model).
        cfg_options (dict, optional): ``{'model.backbone.depth': 18, ...}`` overrides, as on the CLI.

    Returns:
        nn.Module: The randomly initialised teacher.
    """
    if config is None and model is None:
        raise ValueError('The teacher needs `config` (a path or "pkg::path") or `model` (a model dict).')
    cfg = load_model_config(config) if config is not None else Config(dict(model=model))
    if config is not None and model is not None:
        cfg.merge_from_dict(dict(model=model))
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if cfg.get('data_preprocessor') and not cfg.model.get('data_preprocessor'):
        # As MMEngine's Runner does: stock mmpretrain configs keep it at the top level.
        cfg.model.data_preprocessor = cfg.data_preprocessor
    scope = cfg.get('default_scope', None)
    with DefaultScope.overwrite_default_scope(scope):
        # A ConfigDict: the toolboxes read e.g. ``train_cfg.rpn`` as attributes.
        return MODELS.build(ConfigDict(cfg.model))


def _strip_student_prefix(state: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """The student of a distiller checkpoint (the teacher was trained as a distilled student)."""
    return {k[len(STUDENT_PREFIX):]: v for k, v in state.items() if k.startswith(STUDENT_PREFIX)}


def _torchvision_classifier(state: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """A torchvision ResNet's keys as an mmpretrain ``ImageClassifier`` names them.

    torchvision's ``fc`` is the head's ``head.fc``; every other layer keeps its name under
    ``backbone.`` (mmpretrain's ResNet names its stem, blocks, BatchNorms and downsample branches
    as torchvision does). This is what ``torchvision://resnet34`` loads, the ImageNet teachers of
    the DiffKD, PEFD and ND papers.
    """
    if 'fc.weight' not in state:
        return {}
    return {(f'head.{k}' if k.startswith('fc.') else f'backbone.{k}'): v for k, v in state.items()}


# Key renamings tried, in order, when no key of a checkpoint names a teacher parameter.
_KEY_MAPPINGS = (_strip_student_prefix, _torchvision_classifier)


def missing_teacher_checkpoint(checkpoint: str) -> InputFileNotFoundError:
    """The error for a teacher checkpoint path that does not exist."""
    return InputFileNotFoundError(
        f'Teacher checkpoint "{checkpoint}" does not exist. Set model.teacher.checkpoint to the '
        f'file (or URL) of the trained teacher, e.g. --cfg-options model.teacher.checkpoint=PATH.')


def load_teacher_checkpoint(model: nn.Module, checkpoint: str) -> None:
    """Load the teacher's weights, refusing a checkpoint that does not fit the teacher's config.

    Besides the teacher's own checkpoints this accepts a distiller checkpoint (its student) and a
    torchvision classifier checkpoint for an mmpretrain ResNet teacher (e.g.
    ``torchvision://resnet34``): their keys are renamed when none of them names a parameter of the
    teacher as they are.

    Raises:
        FileNotFoundError: if ``checkpoint`` is a path that does not exist.
        ValueError: if the file cannot be read (truncated, corrupt), or keys are missing or shapes
            differ (the keys are listed).
    """
    from mmengine.runner.checkpoint import CheckpointLoader
    if '://' in checkpoint:
        loaded = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    elif not osp.isfile(checkpoint):
        raise missing_teacher_checkpoint(checkpoint)
    else:
        loaded = read_checkpoint(checkpoint, 'Teacher checkpoint (model.teacher.checkpoint)')
    state = state_dict_of(loaded)
    own = model.state_dict()
    if state and own and not any(k in own for k in state):
        for mapping in _KEY_MAPPINGS:
            renamed = mapping(state)
            if any(k in own for k in renamed):
                state = renamed
                break
    missing = [k for k in own if k not in state and not k.endswith('num_batches_tracked')]
    mismatched = [f'{k}: checkpoint {tuple(state[k].shape)} vs model {tuple(v.shape)}'
                  for k, v in own.items() if k in state and tuple(state[k].shape) != tuple(v.shape)]
    unexpected = [k for k in state if k not in own]
    if missing or mismatched:
        raise InputError(
            f'Teacher checkpoint "{checkpoint}" does not match the teacher config: '
            f'{len(missing)} missing keys {missing[:MAX_LISTED_KEYS]}, '
            f'{len(mismatched)} shape mismatches {mismatched[:MAX_LISTED_KEYS]}. '
            f'Is it the checkpoint of this teacher config (same architecture and number of classes)?')
    if unexpected:
        warnings.warn(f'Teacher checkpoint "{checkpoint}" has {len(unexpected)} keys the teacher does '
                      f'not use; ignored: {unexpected[:MAX_LISTED_KEYS]}')
    model.load_state_dict(state, strict=False)


def normalisation_of(preprocessor: nn.Module) -> Tuple[Optional[Tensor], Optional[Tensor], bool]:
    """Return ``(mean, std, swaps_channels)`` of an mmdet/mmseg/mmpretrain data preprocessor.

    ``mean``/``std`` are ``None`` when the preprocessor does not normalise.
    """
    enabled = getattr(preprocessor, '_enable_normalize', False)
    mean = preprocessor.mean.flatten().float() if enabled else None
    std = preprocessor.std.flatten().float() if enabled else None
    swaps = bool(getattr(preprocessor, '_channel_conversion', False)
                 or getattr(preprocessor, 'channel_conversion', False)
                 or getattr(preprocessor, 'to_rgb', False))
    return mean, std, swaps


class FrozenTeacher(nn.Module):
    """Wraps a teacher network: frozen, eval mode, no grad, only as far as the records need.

    The distiller holds this object outside its registered submodules so that the teacher is never
    saved in checkpoints, never optimised, never wrapped by DDP or converted to SyncBN, and never
    re-initialised by ``init_weights``.

    Args:
        model (nn.Module): The teacher network (already loaded).
        student_preprocessor (nn.Module): The student's data preprocessor; when the teacher's
            normalisation differs, the student's normalised batch is re-normalised for the teacher
            (sharing the student's augmentations and padding).
        record_names (Sequence[str]): The teacher modules to record.
    """

    def __init__(self, model: nn.Module, student_preprocessor: nn.Module,
                 record_names: Sequence[str]) -> None:
        super().__init__()
        self.model = model
        self.model.eval()
        for param in self.model.parameters():
            param.requires_grad_(False)
        self.recorders = RecorderSet(model, record_names, 'teacher')
        self._register_early_stop(record_names)
        self._setup_renormalisation(student_preprocessor)

    def _register_early_stop(self, record_names: Sequence[str]) -> None:
        """Stop the forward after the last top-level child holding a recorded module has run.

        A top-level child the toolbox calls as ``child.forward(...)`` never fires its hook; the
        forward then simply runs to its end, which is correct, only slower.
        """
        children = dict(self.model.named_children())
        names = [n[:-len(INPUT_SUFFIX)] if n.endswith(INPUT_SUFFIX) else n for n in record_names]
        self._owners = [o for o in dict.fromkeys(first_component(n) for n in names) if o in children]
        self._owners_done: Dict[str, bool] = {}
        self._stop_enabled = False
        for owner in self._owners:
            children[owner].register_forward_hook(self._make_owner_hook(owner))

    def _make_owner_hook(self, owner: str):

        def hook(module: nn.Module, inputs: Any, output: Any) -> None:
            if not self._stop_enabled:
                return
            self._owners_done[owner] = True
            if len(self._owners_done) == len(self._owners) and self.recorders.all_fired():
                raise _TeacherDone()

        return hook

    def _setup_renormalisation(self, student_preprocessor: nn.Module) -> None:
        teacher_pre = getattr(self.model, 'data_preprocessor', None)
        s_mean, s_std, s_swap = normalisation_of(student_preprocessor)
        t_mean, t_std, t_swap = (s_mean, s_std, s_swap) if teacher_pre is None else \
            normalisation_of(teacher_pre)
        channels = next((m.numel() for m in (s_mean, t_mean) if m is not None), 3)
        zeros, ones = torch.zeros(channels), torch.ones(channels)
        s_mean = zeros if s_mean is None else s_mean
        s_std = ones if s_std is None else s_std
        t_mean = zeros if t_mean is None else t_mean
        t_std = ones if t_std is None else t_std
        swap = s_swap != t_swap
        # raw (student channel order) = x * s_std + s_mean; teacher = (perm(raw) - t_mean) / t_std
        if swap:
            s_mean, s_std = s_mean.flip(0), s_std.flip(0)
        scale = s_std / t_std
        shift = (s_mean - t_mean) / t_std
        self.swap_channels = swap
        self.renormalise = swap or not (torch.allclose(scale, ones) and torch.allclose(shift, zeros))
        self.register_buffer('scale', scale.view(1, -1, 1, 1), persistent=False)
        self.register_buffer('shift', shift.view(1, -1, 1, 1), persistent=False)

    def train(self, mode: bool = True) -> 'FrozenTeacher':
        """The teacher stays in eval mode (BatchNorm, Dropout and DropPath alike)."""
        return super().train(False)

    def teacher_inputs(self, inputs: Tensor) -> Tensor:
        """Convert the student's normalised batch ``(B, 3, H, W)`` into the teacher's normalisation."""
        if not self.renormalise:
            return inputs
        if self.swap_channels:
            inputs = inputs.flip(1)
        return inputs * self.scale.to(inputs.dtype) + self.shift.to(inputs.dtype)

    @torch.no_grad()
    def record(self, inputs: Tensor, data_samples: Optional[List] = None) -> RecorderSet:
        """Run the teacher on the batch until every recorded module has run.

        Args:
            inputs (Tensor): The student's preprocessed batch ``(B, 3, H, W)``.
            data_samples (list, optional): The batch's data samples (heads that decode proposals use
                their meta information).

        Returns:
            RecorderSet: The teacher's records for this batch.
        """
        self.model.eval()
        self.recorders.start()
        self._owners_done = {}
        self._stop_enabled = True
        try:
            self.model(self.teacher_inputs(inputs), data_samples, mode='tensor')
        except _TeacherDone:
            pass
        finally:
            self._stop_enabled = False
            self.recorders.stop()
        return self.recorders
