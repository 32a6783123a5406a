"""Trace every module's output in a student and a teacher, check distillation points, suggest pairs.

The library behind ``tools/inspect_features.py``. The student and the teacher are built apart from
:class:`FeatureDistiller` so that a config with a wrong module name still runs: the wrong point is
reported instead of stopping the build.
"""
import fnmatch
import re
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import MODELS
from torch import Tensor

from ..datasets.synthetic_batch import fake_batch
from ..distillers.feature_distiller import FeatureDistiller
from ..distillers.recorder import ModuleRecorder, describe, parse_record_spec, resolve_module
from ..distillers.teacher import (FrozenTeacher, build_teacher_model, load_teacher_checkpoint)

#: Modules at most this many dots deep are pairing candidates ("stages": backbone.layer4, neck).
SUGGEST_MAX_DEPTH = 2


@dataclass
class TraceEntry:
    """The outputs of one module during one forward pass.

    Attributes:
        name (str): Name in ``named_modules()``.
        type (str): Class name.
        order (int): Position in execution order (when its forward started).
        leaf (bool): A single layer (no children) other than ``nn.Linear``: not a stage.
        outputs (list): ``describe()`` of every call's output.
        shapes (dict): ``{index path: shape}`` of the tensors in the output of a module that ran
            once (``()`` for a plain tensor output, ``(i,)`` for the i-th element of a tuple).
    """
    name: str
    type: str
    order: int
    leaf: bool = False
    outputs: List[str] = field(default_factory=list)
    shapes: Dict[Tuple[int, ...], Tuple[int, ...]] = field(default_factory=dict)

    @property
    def calls(self) -> int:
        return len(self.outputs)


def module_filter(pattern: Optional[str]) -> Callable[[str], bool]:
    """A name predicate: fnmatch (``'neck*'``) or a regular expression search (``'layer[34]$'``).

    Args:
        pattern (str, optional): The pattern; ``None`` matches every module.

    Returns:
        callable: ``name -> bool``.
    """
    if not pattern:
        return lambda name: True
    try:
        regex: Optional[re.Pattern] = re.compile(pattern)
    except re.error:
        regex = None
    return lambda name: fnmatch.fnmatchcase(name, pattern) or bool(regex and regex.search(name))


Shapes = Dict[Tuple[int, ...], Tuple[int, ...]]


def _tensor_shapes(value: Any, path: Tuple[int, ...] = (), depth: int = 0) -> Shapes:
    """``{index path: shape}`` of the tensors in an output, two levels of tuples/lists deep."""
    if isinstance(value, Tensor):
        return {path: tuple(value.shape)}
    shapes: Shapes = {}
    if isinstance(value, (list, tuple)) and depth < 2:
        for i, item in enumerate(value):
            shapes.update(_tensor_shapes(item, path + (i, ), depth + 1))
    return shapes


class ModelTracer:
    """Forward hooks on every (matching) module of a model, kept until :meth:`remove`.

    Only shapes and descriptions are kept, never the tensors, so tracing a large model costs no
    extra memory.

    Args:
        model (nn.Module): The model to trace.
        include (callable): ``name -> bool``; modules for which it is false are not hooked.
    """

    def __init__(self, model: nn.Module, include: Callable[[str], bool]) -> None:
        self.entries: Dict[str, TraceEntry] = {}
        self._handles = []
        for name, module in model.named_modules():
            if name and include(name):
                self._handles.append(module.register_forward_pre_hook(self._pre_hook(name)))
                self._handles.append(module.register_forward_hook(self._post_hook(name)))

    def _pre_hook(self, name: str) -> Callable:

        def hook(module: nn.Module, inputs: Any) -> None:
            # Ordered by the start of the forward, so a parent is listed before its children.
            if name not in self.entries:
                leaf = not any(True for _ in module.children()) and not isinstance(module, nn.Linear)
                self.entries[name] = TraceEntry(name, type(module).__name__, len(self.entries), leaf)

        return hook

    def _post_hook(self, name: str) -> Callable:

        def hook(module: nn.Module, inputs: Any, output: Any) -> None:
            entry = self.entries[name]
            entry.outputs.append(describe(output))
            # The shapes of a module called several times (a shared head) differ per call; only
            # single-call modules are pairing candidates.
            entry.shapes = _tensor_shapes(output) if entry.calls == 1 else {}

        return hook

    def ordered(self) -> List[TraceEntry]:
        return sorted(self.entries.values(), key=lambda e: e.order)

    def remove(self) -> None:
        for handle in self._handles:
            handle.remove()


@dataclass
class PointCheck:
    """The verdict on one configured distillation point.

    Attributes:
        name (str): Point name.
        student (str): Student record spec as written.
        teacher (str): Teacher record spec as written.
        student_value (str): ``describe()`` of the student record (empty if unavailable).
        teacher_value (str): ``describe()`` of the teacher record.
        output (str): ``describe()`` of the connector's outputs when it ran.
        errors (list): Messages; empty when the point is fine.
    """
    name: str
    student: str
    teacher: str
    student_value: str = ''
    teacher_value: str = ''
    output: str = ''
    errors: List[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Suggestion:
    """A student/teacher output pair that could be a distillation point."""
    student: str
    teacher: str
    student_shape: Tuple[int, ...]
    teacher_shape: Tuple[int, ...]

    @property
    def connector(self) -> str:
        cs, ct = self.student_shape[1], self.teacher_shape[1]
        return 'identity (shapes match)' if cs == ct else f'needs a Projector({cs}→{ct})'


@dataclass
class InspectionReport:
    """Everything :func:`inspect_pair` found."""
    student_trace: List[TraceEntry]
    teacher_trace: List[TraceEntry]
    points: List[PointCheck]
    suggestions: List[Suggestion]
    forward_errors: Dict[str, str] = field(default_factory=dict)


def _spec_text(spec: Any) -> str:
    name, index = parse_record_spec(spec)
    return name + ''.join(f'[{i}]' for i in index)


def _short_error(exc: BaseException) -> str:
    return f'{type(exc).__name__}: {exc}'


def _point_recorders(model: nn.Module, specs: Dict[str, Any], side: str,
                     check: Dict[str, PointCheck]) -> Dict[str, ModuleRecorder]:
    """One recorder per resolvable module name; unknown names become errors of their points."""
    recorders: Dict[str, ModuleRecorder] = {}
    for point, spec in specs.items():
        try:
            name, _ = parse_record_spec(spec)
            if name not in recorders:
                recorders[name] = ModuleRecorder(resolve_module(model, name, side), name, side)
        except (ValueError, TypeError) as exc:
            check[point].errors.append(str(exc))
    return recorders


def _check_point(check: PointCheck, cfg: dict, records: Dict[str, Any],
                 data_samples: Optional[list]) -> None:
    """Build the point and run it (connector and loss) on the recorded pair, catching every error."""
    if check.errors:
        return
    for side in ('student', 'teacher'):
        value = records[side]
        if isinstance(value, BaseException):
            check.errors.append(str(value))
        else:
            setattr(check, f'{side}_value', describe(value))
    if check.errors:
        return
    try:
        point = FeatureDistiller._build_point(check.name, cfg)
        with torch.no_grad():
            # The point's own forward makes the distiller's checks (tensor, widths, shapes), so
            # the messages here are the ones training would print.
            point(records['student'], records['teacher'], data_samples)
            student_out, teacher_out, _ = point.connector(records['student'], records['teacher'])
        check.output = f'{describe(student_out)} vs {describe(teacher_out)}'
    except Exception as exc:  # noqa: BLE001 - every failure is a finding to report
        check.errors.append(_short_error(exc))


def module_role(name: str) -> str:
    """The part of a model a module belongs to: ``'backbone'``, ``'neck'``, ``'head'`` or other.

    Every ``*head*`` top-level module (``rpn_head``, ``roi_head``, ``bbox_head``, ``decode_head``,
    ``head``) is a head; any other top-level name is its own role.
    """
    top = re.split(r'[.\[]', name, maxsplit=1)[0]
    return 'head' if 'head' in top else top


@dataclass
class _Candidate:
    """A traced output that could be one side of a distillation point."""
    label: str  # module name plus output index, as a record spec
    shape: Tuple[int, ...]
    top: str  # first name component (``bbox_head``)
    role: str  # see module_role
    index: Tuple[int, ...]  # output index path (the FPN level of a tuple output)
    position: float = 0.0  # relative execution position among the candidates of its role


def _candidates(trace: Sequence[TraceEntry], max_depth: int) -> List[_Candidate]:
    out: List[_Candidate] = []
    for entry in trace:
        if entry.name.count('.') > max_depth - 1 or entry.calls != 1 or entry.leaf:
            continue
        for index, shape in entry.shapes.items():
            if len(shape) in (2, 4):
                out.append(_Candidate(entry.name + ''.join(f'[{i}]' for i in index), shape,
                                      entry.name.split('.')[0], module_role(entry.name), index))
    for role in {c.role for c in out}:
        same_role = [c for c in out if c.role == role]
        for rank, cand in enumerate(same_role):
            cand.position = rank / max(1, len(same_role) - 1)
    return out


def suggest_pairs(student: Sequence[TraceEntry], teacher: Sequence[TraceEntry],
                  max_depth: int = SUGGEST_MAX_DEPTH) -> List[Suggestion]:
    """Pair stage-level student outputs with like teacher outputs of the same spatial size.

    Candidates are modules with at most ``max_depth`` name components that ran once, are not
    single layers (convolutions, norms, activations; linear layers count: logits), with ``(B, C)``
    or ``(B, C, H, W)`` tensors (or tuples of them). Like pairs with like: a backbone stage with
    a backbone stage, a neck (FPN) level with a neck level, a head with a head
    (:func:`module_role`); never across roles. For each student output the teacher output of the
    same name and index is preferred; then, within the role, one of the same top-level module
    (``bbox_head`` with ``bbox_head``), then of the same output index (FPN level ``i`` with level
    ``i``), then the one whose relative execution position within the role is closest ("the same
    stage").

    Returns:
        list: One :class:`Suggestion` per student output that has a partner.
    """
    teacher_cands = _candidates(teacher, max_depth)
    suggestions = []
    for s in _candidates(student, max_depth):
        same = [t for t in teacher_cands if t.role == s.role and len(t.shape) == len(s.shape)
                and t.shape[0] == s.shape[0] and t.shape[2:] == s.shape[2:]]
        if not same:
            continue
        best = min(same, key=lambda t: (t.label != s.label, t.top != s.top, t.index != s.index,
                                        abs(t.position - s.position)))
        suggestions.append(Suggestion(s.label, best.label, s.shape, best.shape))
    return suggestions


def inspect_pair(student: nn.Module, teacher: FrozenTeacher, inputs: Tensor,
                 data_samples: Optional[list], points: Optional[Dict[str, dict]] = None,
                 include: Callable[[str], bool] = lambda name: True) -> InspectionReport:
    """Run one preprocessed batch through both models with every module traced.

    The student runs in ``'loss'`` mode and train mode (as the distiller records it); the teacher
    in ``'tensor'`` mode on the re-normalised batch, to its end (no early stop, so every module
    is listed).

    Args:
        student (nn.Module): The student network.
        teacher (FrozenTeacher): The wrapped teacher (for its re-normalisation).
        inputs (Tensor): The student's preprocessed batch.
        data_samples (list, optional): The batch's data samples (with ground truth).
        points (dict, optional): The config's ``distill_points``.
        include (callable): Which modules to trace (the points' modules are checked regardless).

    Returns:
        InspectionReport: Traces, point checks and pairing suggestions.
    """
    points = points or {}
    checks = {name: PointCheck(name, _spec_text(cfg.get('student')), _spec_text(cfg.get('teacher')))
              for name, cfg in points.items()}
    s_rec = _point_recorders(student, {n: c['student'] for n, c in points.items()}, 'student', checks)
    t_rec = _point_recorders(teacher.model, {n: c['teacher'] for n, c in points.items()}, 'teacher',
                             checks)
    tracers = {'student': ModelTracer(student, include), 'teacher': ModelTracer(teacher.model, include)}
    errors: Dict[str, str] = {}
    runs = (('student', s_rec, lambda: student.train()(inputs, data_samples, mode='loss')),
            ('teacher', t_rec, lambda: teacher.model(teacher.teacher_inputs(inputs), data_samples,
                                                     mode='tensor')))
    try:
        for side, recorders, forward in runs:
            for recorder in recorders.values():
                recorder.start()
            try:
                with torch.no_grad():
                    forward()
            except Exception as exc:  # noqa: BLE001 - report it and show what ran before it
                errors[side] = _short_error(exc) + '\n' + traceback.format_exc(limit=-3)
            finally:
                for recorder in recorders.values():
                    recorder.stop()
        for name, cfg in points.items():
            records = {}
            for side, recorders in (('student', s_rec), ('teacher', t_rec)):
                module, index = parse_record_spec(cfg[side])
                try:
                    records[side] = recorders[module].get(index) if module in recorders else None
                except (RuntimeError, IndexError) as exc:
                    records[side] = exc
            _check_point(checks[name], cfg, records, data_samples)
    finally:
        for tracer in tracers.values():
            tracer.remove()
        for recorder in list(s_rec.values()) + list(t_rec.values()):
            recorder.remove()
    student_trace = tracers['student'].ordered()
    teacher_trace = tracers['teacher'].ordered()
    return InspectionReport(student_trace, teacher_trace, list(checks.values()),
                            suggest_pairs(student_trace, teacher_trace), errors)


def build_pair(cfg: Config, student_cfg: Optional[Config] = None, teacher_cfg: Optional[str] = None,
               teacher_checkpoint: Optional[str] = None,
               random_teacher: bool = False) -> Tuple[nn.Module, FrozenTeacher, Dict[str, dict]]:
    """Build the student, the wrapped teacher and the point configs.

    Args:
        cfg (Config): A distillation config (``model.type`` a distiller), or the student's own
            config when ``teacher_cfg`` is given.
        student_cfg (Config, optional): Unused unless ``teacher_cfg``; defaults to ``cfg``.
        teacher_cfg (str, optional): Path or ``pkg::path`` of the teacher's config (pair mode).
        teacher_checkpoint (str, optional): The teacher's weights in pair mode.
        random_teacher (bool): Skip loading the teacher checkpoint.

    Returns:
        tuple: ``(student, teacher, distill_points)``.
    """
    if teacher_cfg is not None:
        student = MODELS.build((student_cfg or cfg).model)
        teacher_net = build_teacher_model(teacher_cfg)
        checkpoint, points = teacher_checkpoint, {}
    else:
        model_cfg = cfg.model
        if 'student' not in model_cfg or 'teacher' not in model_cfg:
            raise ValueError('The config is not a distillation config (model.student and '
                             'model.teacher); for two plain configs use --student-config and '
                             '--teacher-config.')
        student_cfg = model_cfg.student
        if cfg.get('data_preprocessor') and not student_cfg.get('data_preprocessor'):
            # As the distiller does: stock mmpretrain configs keep it at the top level.
            student_cfg = dict(student_cfg, data_preprocessor=cfg.data_preprocessor)
        student = MODELS.build(student_cfg)
        t = model_cfg.teacher
        teacher_net = build_teacher_model(t.get('config'), t.get('model'), t.get('cfg_options'))
        checkpoint = t.get('checkpoint')
        points = {name: dict(p) for name, p in (model_cfg.get('distill_points') or {}).items()}
    if checkpoint and not random_teacher:
        load_teacher_checkpoint(teacher_net, checkpoint)
    teacher = FrozenTeacher(teacher_net, student.data_preprocessor, [])
    return student, teacher, points


def first_batch(student: nn.Module, cfg: Optional[Config], batch_size: int,
                size: Optional[Tuple[int, int]] = None, fake: bool = False) -> Tuple[Tensor, list]:
    """One preprocessed batch: synthetic, or the first of the config's train dataloader.

    Args:
        student (nn.Module): The student (its data preprocessor prepares the batch).
        cfg (Config, optional): The config whose ``train_dataloader`` is read (not with ``fake``).
        batch_size (int): Images in the batch.
        size (tuple, optional): ``(H, W)`` of synthetic images.
        fake (bool): Random images with random ground truth instead of the data set.

    Returns:
        tuple: ``(inputs, data_samples)`` after the data preprocessor (training mode).
    """
    if fake:
        batch = fake_batch(student, batch_size, tuple(size or (224, 224)))
    else:
        from mmengine.runner import Runner
        loader_cfg = cfg.train_dataloader.copy()
        loader_cfg.batch_size = batch_size
        loader_cfg.num_workers = 0  # one batch: worker start-up would cost more than it saves
        loader_cfg.persistent_workers = False
        batch = next(iter(Runner.build_dataloader(loader_cfg)))
    data = student.data_preprocessor(batch, True)
    return data['inputs'], data['data_samples']


def format_report(report: InspectionReport) -> str:
    """The human-readable text of an inspection: traces, points, suggestions."""
    marks: Dict[Tuple[str, str], List[str]] = {}
    for check in report.points:
        for side in ('student', 'teacher'):
            module = parse_record_spec(getattr(check, side))[0]
            marks.setdefault((side, module), []).append(check.name)
    lines: List[str] = []
    for side, trace in (('student', report.student_trace), ('teacher', report.teacher_trace)):
        lines.append(f'== {side}: {len(trace)} modules ran (execution order) ==')
        for entry in trace:
            more = ', ...' if entry.calls > 5 else ''
            out = entry.outputs[0] if entry.calls == 1 else \
                f'{entry.calls} calls: ' + ', '.join(entry.outputs[:5]) + more
            mark = marks.get((side, entry.name))
            suffix = f'   <== point {", ".join(mark)}' if mark else ''
            lines.append(f'{entry.order:5d} {entry.name} ({entry.type}): {out}{suffix}')
        if side in report.forward_errors:
            lines.append(f'!! the {side} forward failed: {report.forward_errors[side]}')
    lines.append(f'== distillation points: {len(report.points)} ==')
    for check in report.points:
        status = 'OK' if check.ok else 'PROBLEM'
        lines.append(f'[{status}] {check.name}: student {check.student} -> {check.student_value or "?"}'
                     f'; teacher {check.teacher} -> {check.teacher_value or "?"}')
        if check.output:
            lines.append(f'        after the connector: {check.output}')
        for error in check.errors:
            lines.append(f'        {error}')
    lines.append(f'== suggested pairings (like with like: backbone, neck, head; same spatial size): '
                 f'{len(report.suggestions)} ==')
    for s in report.suggestions:
        lines.append(f'  student {s.student} {s.student_shape}  <->  teacher {s.teacher} '
                     f'{s.teacher_shape}: {s.connector}')
    return '\n'.join(lines)
