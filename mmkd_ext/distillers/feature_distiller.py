"""One distiller for mmdet detectors, mmseg segmentors and mmpretrain classifiers."""
import re
from collections import OrderedDict
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.structures import BaseDataElement
from torch import Tensor

from ..connectors import BaseConnector, IdentityConnector
from ..losses import BaseDistillLoss
from ..registry import MODELS, find_model_class
from ..utils.errors import InputError, InputTypeError, check_weight, closest_names
from .recorder import RecorderSet, describe, parse_record_spec, resolve_module
from .teacher import FrozenTeacher, build_teacher_model, load_teacher_checkpoint

POINT_KEYS = {'student', 'teacher', 'connector', 'loss', 'weight'}
TEACHER_KEYS = {'config', 'model', 'checkpoint', 'cfg_options'}


def build_component(cfg: Union[dict, nn.Module], base: type, key: str) -> nn.Module:
    """Build a connector or a loss; a wrong type or argument is reported with its config key.

    Args:
        cfg (dict | nn.Module): The component's config (or an already built module).
        base (type): What it should be (:class:`BaseConnector`, :class:`BaseDistillLoss`); the
            registered subclasses are the suggestions for an unknown type name.
        key (str): Where ``cfg`` is in the config, e.g. ``'model.distill_points.fpn0.loss'``.

    Returns:
        nn.Module: The built component.

    Raises:
        InputError: For an unregistered type (with the closest registered names) or an invalid
            argument reported by the component.
    """
    if isinstance(cfg, nn.Module):
        return cfg
    type_name = cfg.get('type') if isinstance(cfg, dict) else None
    if isinstance(type_name, str) and find_model_class(type_name) is None:
        known = sorted(name for name, cls in MODELS.module_dict.items()
                       if isinstance(cls, type) and issubclass(cls, base))
        close = closest_names(type_name, known)
        guess = f'Did you mean {" or ".join(repr(c) for c in close)}? ' if close else ''
        raise InputError(f'{key}.type: "{type_name}" is not a registered {base.__name__} '
                         f'subclass. {guess}Registered: {known}. A class of your own must be '
                         f'registered with @MODELS.register_module() and imported '
                         f'(custom_imports).')
    try:
        return MODELS.build(cfg)
    except InputError as err:
        raise InputError(f'{key}: {err}') from None


def loss_key(loss: nn.Module) -> str:
    """``FeatureMSELoss`` → ``'loss_feature_mse'``; ``KDLoss`` → ``'loss_kd'``."""
    name = re.sub(r'Loss$', '', type(loss).__name__)
    snake = re.sub(r'(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])', '_', name).lower()
    return f'loss_{snake}'


class DistillPoint(nn.Module):
    """One distillation point: two records, a connector and a loss.

    Args:
        name (str): The point's name, used in log keys ``distill.<name>.<loss>``.
        student (str | dict): Student record, e.g. ``'neck[0]'``.
        teacher (str | dict): Teacher record.
        connector (nn.Module): Built connector.
        loss (nn.Module): Built distillation loss.
        weight (float): Multiplies every loss of the point (the main and the connector's own).
    """

    def __init__(self, name: str, student: Union[str, dict], teacher: Union[str, dict],
                 connector: nn.Module, loss: nn.Module, weight: float = 1.0) -> None:
        super().__init__()
        self.name = name
        self.student_module, self.student_index = parse_record_spec(student)
        self.teacher_module, self.teacher_index = parse_record_spec(teacher)
        self.connector = connector
        self.loss = loss
        self.weight = weight

    @property
    def key(self) -> str:
        """Where the point is set in the config."""
        return f'model.distill_points.{self.name}'

    def check_widths(self, student: Tensor, teacher: Tensor) -> None:
        """Report a width mismatch with both shapes before the connector fails cryptically."""
        for side, feat, want in (('student', student, getattr(self.connector, 'student_channels', None)),
                                 ('teacher', teacher, getattr(self.connector, 'teacher_channels', None))):
            if want is not None and (feat.dim() < 2 or feat.shape[1] != want):
                raise InputError(
                    f'Distillation point "{self.name}" ({self.key}.connector): the '
                    f'{type(self.connector).__name__} expects {want} {side} channels, but the {side} '
                    f'feature has shape {tuple(feat.shape)} (student {tuple(student.shape)}, teacher '
                    f'{tuple(teacher.shape)}). Set the connector\'s {side}_channels to '
                    f'{feat.shape[1] if feat.dim() > 1 else "?"}.')

    def connect(self, student: Any, teacher: Any) -> Tuple[Tensor, Tensor, Dict[str, Tensor]]:
        """Check the recorded pair and run the connector: ``(student_out, teacher_out, aux)``.

        Raises:
            InputError: A record is not a tensor, the connector's widths do not fit, or the two
                outputs differ in shape (each message names the point and its config key).
        """
        for side, feat, module in (('student', student, self.student_module),
                                   ('teacher', teacher, self.teacher_module)):
            if not isinstance(feat, Tensor):
                raise InputTypeError(
                    f'Distillation point "{self.name}" ({self.key}.{side}): the {side} record '
                    f'"{module}" is a {describe(feat)}, not a tensor. Add an output index, e.g. '
                    f'"{module}[0]".')
        self.check_widths(student, teacher)
        student_out, teacher_out, aux = self.connector(student, teacher)
        if student_out.shape != teacher_out.shape:
            raise InputError(
                f'Distillation point "{self.name}" ({self.key}): the student output '
                f'{tuple(student_out.shape)} (recorded {tuple(student.shape)} at '
                f'"{self.student_module}") and the teacher output {tuple(teacher_out.shape)} '
                f'(recorded {tuple(teacher.shape)} at "{self.teacher_module}") must have the same '
                f'shape. Use a connector that maps the widths (e.g. Projector) and record layers '
                f'with the same spatial size (tools/inspect_features.py CONFIG --fake lists them).')
        return student_out, teacher_out, aux

    def forward(self, student: Any, teacher: Any, data_samples: Optional[List]) -> Dict[str, Tensor]:
        """Return this point's weighted losses keyed ``distill.<name>.<loss>``."""
        student_out, teacher_out, aux = self.connect(student, teacher)
        kwargs = {'data_samples': data_samples} if getattr(self.loss, 'needs_data_samples', False) else {}
        losses = {loss_key(self.loss): self.loss(student_out, teacher_out, **kwargs)}
        losses.update(aux)
        return {f'distill.{self.name}.{key}': self.weight * value for key, value in losses.items()}


@MODELS.register_module()
class FeatureDistiller(BaseModel):
    """Distils a frozen teacher into any mmdet / mmseg / mmpretrain model.

    The student trains with its own losses unchanged; every distillation point adds losses named
    ``distill.<point>.<loss>``. Prediction, tensor mode and validation use the student alone.

    Subclasses that compute losses of their own from extra records (e.g. :class:`RoIDistiller`)
    list those module names in :attr:`extra_student_records` / :attr:`extra_teacher_records`; they
    are recorded like the points' records (and the teacher still stops once all of its have run),
    and such a subclass may have no distillation points at all.

    Args:
        student (dict): The student's model config (e.g. the stock config's ``model``).
        teacher (dict): ``config`` (path or ``pkg::path`` of the teacher's training config) and/or
            ``model`` (a model dict), ``checkpoint`` (path or URL of its trained weights; ``None``
            leaves it random, for tests only) and optionally ``cfg_options`` (overrides).
        distill_points (dict): ``{name: dict(student=..., teacher=..., connector=..., loss=...,
            weight=1.0)}``. Records are module names with an optional output index
            (``'neck[0]'``); ``connector`` may be omitted (identity).
        data_preprocessor (dict, optional): Used by the student when its own model dict has none
            (stock mmpretrain configs keep it at the top level, and the Runner passes it here).
        init_cfg (dict, optional): Initialisation config of the distiller's own parts.
    """

    #: Student / teacher modules a subclass records for its own losses, besides the points'.
    extra_student_records: Tuple[str, ...] = ()
    extra_teacher_records: Tuple[str, ...] = ()
    #: Called once as ``check(distiller)`` before the first training step. Packages built on the
    #: distiller add their checks here (:mod:`mmkd_ext.nd` refuses class means of another teacher),
    #: so the distiller does not import them.
    first_step_checks: List[Callable[['FeatureDistiller'], None]] = []

    def __init__(self,
                 student: dict,
                 teacher: dict,
                 distill_points: Dict[str, dict],
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is not None and not student.get('data_preprocessor'):
            student = dict(student, data_preprocessor=data_preprocessor)
        try:
            student_model = MODELS.build(student)
        except InputError as err:
            raise InputError(f'model.student: {err}') from None
        student_preprocessor = getattr(student_model, 'data_preprocessor', None)
        # The student's own preprocessor is the distiller's. The top-level dict may lack the
        # `type` its toolbox's model fills in (stock mmpretrain configs), so it is not built here.
        super().__init__(data_preprocessor=None if student_preprocessor is not None else
                         data_preprocessor, init_cfg=init_cfg)
        self.student = student_model
        if student_preprocessor is not None:
            self.data_preprocessor = student_preprocessor

        if not distill_points and not (self.extra_student_records or self.extra_teacher_records):
            raise ValueError('`distill_points` is empty: name at least one (student, teacher) pair.')
        self.points = nn.ModuleDict(
            OrderedDict((name, self._build_point(name, cfg))
                        for name, cfg in (distill_points or {}).items()))
        self._check_point_modules('student', self.student)
        self.student_recorders = RecorderSet(
            self.student,
            [p.student_module for p in self.points.values()] + list(self.extra_student_records),
            'student')

        #: The ``teacher`` argument (config, checkpoint, ...): what the class-means files record.
        self.teacher_cfg = dict(teacher)
        self._first_step_checked = False
        teacher_net = self._build_teacher(teacher)
        self._check_point_modules('teacher', teacher_net)
        # Held outside the registered submodules: see FrozenTeacher.
        object.__setattr__(self, 'teacher', FrozenTeacher(
            teacher_net, self.data_preprocessor,
            [p.teacher_module for p in self.points.values()] + list(self.extra_teacher_records)))
        self._register_load_state_dict_pre_hook(self._accept_plain_student_checkpoint)

    @staticmethod
    def _build_point(name: str, cfg: dict) -> DistillPoint:
        cfg = dict(cfg)
        key = f'model.distill_points.{name}'
        unknown = set(cfg) - POINT_KEYS
        if unknown or 'student' not in cfg or 'teacher' not in cfg or 'loss' not in cfg:
            raise InputError(f'Distillation point "{name}" ({key}) needs the keys student, teacher, '
                             f'loss (optional: connector, weight); got {sorted(cfg)}.')
        connector = build_component(cfg['connector'], BaseConnector, f'{key}.connector') \
            if cfg.get('connector') else IdentityConnector()
        if not isinstance(connector, BaseConnector):
            raise InputError(f'Distillation point "{name}": {type(connector).__name__} is not a '
                             f'connector (subclass mmkd_ext.connectors.BaseConnector).')
        loss = build_component(cfg['loss'], BaseDistillLoss, f'{key}.loss')
        weight = check_weight(cfg.get('weight', 1.0), f'{key}.weight')
        return DistillPoint(name, cfg['student'], cfg['teacher'], connector, loss, weight)

    def _check_point_modules(self, side: str, model: nn.Module) -> None:
        """An unknown module name is reported with the key of the point that names it."""
        for name, point in self.points.items():
            try:
                resolve_module(model, getattr(point, f'{side}_module'), side)
            except InputError as err:
                raise InputError(f'model.distill_points.{name}.{side}: {err}') from None

    @staticmethod
    def _build_teacher(cfg: dict) -> nn.Module:
        cfg = dict(cfg)
        unknown = set(cfg) - TEACHER_KEYS
        if unknown:
            raise InputError(f'Unknown keys {sorted(unknown)} in model.teacher; allowed: '
                             f'{sorted(TEACHER_KEYS)}.')
        if 'checkpoint' not in cfg:
            raise InputError('model.teacher needs `checkpoint`: the path or URL of its trained weights '
                             '(checkpoint=None keeps random weights, which only makes sense in tests).')
        model = build_teacher_model(cfg.get('config'), cfg.get('model'), cfg.get('cfg_options'))
        if cfg['checkpoint'] is not None:
            load_teacher_checkpoint(model, cfg['checkpoint'])
        else:
            from mmengine.logging import print_log
            print_log('The teacher has NO checkpoint (checkpoint=None): it keeps random weights.',
                      logger='current', level=30)
        return model

    # ----------------------------------------------------------------- device / mode / weights

    def _apply(self, fn, *args, **kwargs):
        """Move the hidden teacher together with the distiller (``.to()``, ``.cuda()``, ``.half()``)."""
        super()._apply(fn, *args, **kwargs)
        self.teacher._apply(fn, *args, **kwargs)
        return self

    def _accept_plain_student_checkpoint(self, state_dict: dict, prefix: str, *args) -> None:
        """Let ``load_from`` take a plain student checkpoint: prefix its keys with ``student.``."""
        own = [k for k in state_dict if k.startswith(prefix)]
        if not own or any(k.startswith(prefix + 'student.') for k in own):
            return
        student_keys = set(self.student.state_dict())
        if any(k[len(prefix):] in student_keys for k in own):
            for key in own:
                state_dict[prefix + 'student.' + key[len(prefix):]] = state_dict.pop(key)

    def student_state_dict(self) -> 'OrderedDict[str, Tensor]':
        """The student's weights alone, with the keys of a plain toolbox checkpoint."""
        return self.student.state_dict()

    @torch.no_grad()
    def check_points(self, inputs: Tensor, data_samples: Optional[List[BaseDataElement]]) -> None:
        """Run one batch through both models and every point's connector, without training.

        What the first training step would find wrong with a point (a record that is not a
        tensor, connector widths, student and teacher shapes that differ) is found here, at the
        cost of one forward in eval mode. Nothing changes: no gradient, no BatchNorm statistics,
        the train/eval flags are restored. The losses are not run (an ND loss may not have its
        class means yet).

        Args:
            inputs (Tensor): A preprocessed batch ``(B, 3, H, W)``.
            data_samples (list, optional): Its data samples, with ground truth.

        Raises:
            InputError: Naming the point and its config key.
        """
        modes = {module: module.training for module in self.modules()}
        self.eval()
        try:
            self.student_recorders.start()
            try:
                self.student(inputs, data_samples, mode='loss')
            finally:
                self.student_recorders.stop()
            teacher_records = self.teacher.record(inputs, data_samples)
            for point in self.points.values():
                point.connect(
                    self.student_recorders.get(point.student_module, point.student_index),
                    teacher_records.get(point.teacher_module, point.teacher_index))
        finally:
            for module, mode in modes.items():
                module.training = mode

    # ----------------------------------------------------------------------------- forward

    def forward(self, inputs: Tensor, data_samples: Optional[List[BaseDataElement]] = None,
                mode: str = 'tensor') -> Union[Dict[str, Tensor], list, Any]:
        """``'loss'`` adds the distillation losses; ``'predict'`` and ``'tensor'`` are the student's."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        return self.student(inputs, data_samples, mode=mode)

    def loss(self, inputs: Tensor, data_samples: Optional[List[BaseDataElement]]) -> Dict[str, Tensor]:
        """The student's own losses plus ``distill.<point>.<loss>``.

        The student's keys are kept, except a student loss named plain ``'loss'`` (mmpretrain's
        classifiers): MMEngine logs the total under that name, so it becomes ``'student.loss'``.
        """
        if not self._first_step_checked:
            for check in self.first_step_checks:
                check(self)
            self._first_step_checked = True
        self.student_recorders.start()
        try:
            losses = self.student(inputs, data_samples, mode='loss')
        finally:
            self.student_recorders.stop()
        if 'loss' in losses:
            losses['student.loss'] = losses.pop('loss')
        teacher_records = self.teacher.record(inputs, data_samples)
        for name, point in self.points.items():
            student_feat = self.student_recorders.get(point.student_module, point.student_index)
            teacher_feat = teacher_records.get(point.teacher_module, point.teacher_index)
            losses.update(point(student_feat, teacher_feat, data_samples))
        return losses
