"""Generate a distillation config for any student / teacher pair from their stock configs.

``make_distill_config(student, teacher, method)`` builds both models (random weights, nothing
downloaded), runs one synthetic batch through each with recorders on the candidate modules, and
pairs them by one deterministic rule per task (:data:`RULES`):

* detection, feature methods: the neck (FPN) levels, paired by stride;
* segmentation: logit methods (KD, CWD, DIST) on the decode head's logits (``conv_seg``), feature
  methods on the last decoder feature (the input of ``conv_seg``);
* classification: logit methods (KD, DKD, DIST) on the head's logits, feature methods, PEFD and
  ND on the pooled feature (the neck's output, or the backbone's where there is no neck);
* a connector wherever the widths differ.

The weights are those of the closest setting we ship (:data:`METHODS`). What does not fit (a
method for another task, other class counts, no common stride, a token sequence where a map or a
vector is needed) is refused with an :class:`InputError` that lists what was found.
"""
import argparse
import os
import os.path as osp
import textwrap
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import DefaultScope

from ..distillers.recorder import ModuleRecorder, parse_record_spec
from ..distillers.teacher import build_teacher_model, load_model_config
from ..datasets.synthetic_batch import fake_batch, num_classes_of, task_of
from ..utils.errors import InputError

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
OWN_PREFIX = 'mmkd_ext::'
TASK_NAMES = {'det': 'a detector (mmdet)', 'seg': 'a segmentor (mmseg)',
              'cls': 'a classifier (mmpretrain)'}
#: Synthetic image size of the trace per task (segmentors pad to their own crop size anyway).
TRACE_SIZES = {'det': (256, 256), 'seg': (256, 256), 'cls': (224, 224)}
LOGIT_METHODS = ('kd', 'dkd', 'dist')
FEATURE_METHODS = ('mse', 'cwd', 'diffkd', 'diffkd-fgd')

#: The pairing rule of each task, as the generated comment block and the docs state it.
RULES = {
    ('det', 'feature'): 'detection, feature methods: neck (FPN) levels paired by stride',
    ('seg', 'logits'): 'segmentation, logit methods: the decode head\'s logits',
    ('seg', 'feature'): 'segmentation, feature methods: the last decoder feature',
    ('cls', 'logits'): 'classification, logit methods: the head\'s logits',
    ('cls', 'pooled'): 'classification, feature methods, PEFD and ND: the pooled feature',
}


@dataclass
class Method:
    """One method of ``--method``: where it applies, its loss and connector, and whence the weights.

    Attributes:
        tasks (dict): ``{task: what it distils}`` with what in ``'logits'``, ``'feature'``,
            ``'pooled'``; a task that is not a key is refused.
        loss (dict): The loss config (its weights included).
        weight (float): The point weight.
        source (str): The shipped setting the values come from (written in the comment block).
        connector (str): ``'projector'`` (a Projector where widths differ), ``'diffkd'``,
            ``'ensemble'`` (always a ProjectorEnsemble), ``'nd'`` or ``'none'`` (widths must match).
        refusals (dict): ``{task: why}`` for the tasks it does not apply to.
    """
    tasks: Dict[str, str]
    loss: dict
    weight: float
    source: str
    connector: str = 'projector'
    refusals: Dict[str, str] = field(default_factory=dict)


_NO_DET_LOGITS = ('a detector has no image- or pixel-level logits to compare (its heads score '
                  'anchors or queries that differ between two detectors); use a feature method: '
                  'mse, cwd, diffkd or diffkd-fgd on the FPN levels')
_POOLED_ONLY = ('{name} distils the pooled feature of a classifier; for detectors and segmentors '
                'we ship it as a hand-written extension (configs/{folder}/), not as a rule of the '
                'generator')
METHODS: Dict[str, Method] = {
    'kd': Method({'seg': 'logits', 'cls': 'logits'}, dict(type='KDLoss', tau=1.0), 1.0,
                 'KD: tau 1, weight 1 (configs/toy/kd_fcn_*, configs/nd/_base_/nd-kd_in1k.py; '
                 'tau 4 below 1000 classes, the CIFAR-100 convention of configs/toy/kd_resnet*)',
                 'none', {'det': _NO_DET_LOGITS}),
    'dkd': Method({'cls': 'logits'}, dict(type='DKDLoss', alpha=0.8, beta=0.5, tau=1.0), 1.0,
                  'DKD: alpha 0.8, beta 0.5, tau 1 (configs/nd/'
                  'nd-dkd_resnet34-resnet18_8xb64_in1k.py; below 1000 classes alpha 2, beta 8, '
                  'tau 4: configs/toy/nd-dkd_*)', 'none',
                  {'det': _NO_DET_LOGITS,
                   'seg': 'DKD splits the logits at the ground-truth class of each image; '
                          'segmentation has no image label: use kd, cwd or dist'}),
    'dist': Method({'seg': 'logits', 'cls': 'logits'},
                   dict(type='DISTLoss', beta=1.0, gamma=1.0, tau=1.0), 1.0,
                   'DIST: beta = gamma = tau = 1, weight 1 (configs/diffkd/_base_/'
                   'diffkd_cityscapes.py, configs/diffkd/'
                   'diffkd-dist_resnet34-resnet18_8xb32_in1k.py)', 'none',
                   {'det': _NO_DET_LOGITS}),
    'mse': Method({'det': 'feature', 'seg': 'feature', 'cls': 'pooled'},
                  dict(type='FeatureMSELoss'), 1.0,
                  'MSE weight 1 (configs/toy/_base_/mse_fpn_toy-det.py)'),
    'cwd': Method({'det': 'feature', 'seg': 'logits'},
                  dict(type='CWDLoss', tau=4.0, loss_weight=3.0), 1.0,
                  'CWD: tau 4, loss weight 3, the CWD paper\'s segmentation setting '
                  '(configs/toy/cwd_fcn_r18w32-r18w8_toy-seg.py)', 'projector',
                  {'cls': 'CWD compares per-channel spatial distributions; a classifier\'s logits '
                          'and pooled feature have no spatial extent: use kd, dkd, dist or a '
                          'feature method'}),
    'diffkd': Method({'det': 'feature', 'seg': 'feature', 'cls': 'pooled'},
                     dict(type='FeatureMSELoss'), 5.0,
                     'DiffKD with MSE: weight 5 on the FPN levels (configs/diffkd/_base_/'
                     'diffkd_fpn_coco.py), 1 elsewhere (diffkd_cityscapes.py, diffkd_in1k.py)',
                     'diffkd'),
    'diffkd-fgd': Method({'det': 'feature'},
                         dict(type='FGDFeatureLoss', alpha=1.0, beta=0.5, temperature=0.5), 5.0,
                         'DiffKD with the FGD loss: alpha 1, beta 0.5, temperature 0.5, weight 5 '
                         '(configs/diffkd/_base_/diffkd-fgd_fpn_coco.py)', 'diffkd',
                         {'seg': 'the FGD loss weighs foreground boxes: detection only',
                          'cls': 'the FGD loss weighs foreground boxes: detection only'}),
    'pefd': Method({'cls': 'pooled'}, dict(type='CosineDistanceLoss', loss_weight=25.0), 1.0,
                   'PEFD: 3 projectors, cosine distance, loss weight 25 '
                   '(configs/pefd/_base_/pefd_cls.py)', 'ensemble',
                   {'det': _POOLED_ONLY.format(name='PEFD', folder='pefd'),
                    'seg': _POOLED_ONLY.format(name='PEFD', folder='pefd')}),
    'nd': Method({'cls': 'pooled'}, dict(type='NDLoss', lazy_load=True, loss_weight=1.0), 1.0,
                 'KD++: KD (tau 1, weight 2.5) + ND (weight 1) (configs/nd/'
                 'nd-kd_resnet34-resnet18_8xb64_in1k.py; below 1000 classes KD tau 4, weight 1: '
                 'configs/toy/nd-kd_*)', 'nd',
                 {'det': 'ND for detection is the RoI setting of RoIDistiller (configs/nd/'
                         'nd-kd_faster-rcnn_*), Faster R-CNN only: not a rule of the generator',
                  'seg': 'ND needs one class mean per image label: segmentation has none'}),
}


@dataclass
class Side:
    """One model of the pair as traced: its config reference, task, classes and records.

    Attributes:
        ref (str): What the user gave (``mmdet::...``, a path, ``mmkd_ext::...``).
        path (str): A loadable form of it (``pkg::path`` or an absolute path).
        cfg (Config): The loaded config.
        task (str): ``'det'``, ``'seg'`` or ``'cls'``.
        num_classes (int): The classes it predicts.
        modules (dict): ``{name: module}`` of the model.
        shapes (dict): ``{record spec: shape}`` of every candidate record that ran.
        input_size (tuple): ``(H, W)`` of the preprocessed batch (for strides).
    """
    ref: str
    path: str
    cfg: Config
    task: str
    num_classes: int
    modules: Dict[str, nn.Module]
    shapes: Dict[str, Tuple[int, ...]]
    input_size: Tuple[int, int]


@dataclass
class Point:
    """A generated distillation point and the reason it was chosen."""
    name: str
    student: str
    teacher: str
    student_shape: Tuple[int, ...]
    teacher_shape: Tuple[int, ...]
    connector: Optional[dict]
    loss: dict
    weight: float
    rule: str
    why: str = ''


def loadable(ref: str) -> str:
    """``mmkd_ext::x.py`` as this repository's ``configs/x.py``; a local path made absolute.

    Raises:
        InputError: When a local file does not exist.
    """
    if ref.startswith(OWN_PREFIX):
        ref = osp.join(REPO_ROOT, 'configs', ref[len(OWN_PREFIX):])
    if '::' in ref:
        return ref
    if not osp.isfile(ref):
        raise InputError(f'Config "{ref}" does not exist. Give a local path or a toolbox reference '
                         f'such as "mmdet::rtmdet/rtmdet_tiny_8xb32-300e_coco.py" or '
                         f'"mmkd_ext::toy/resnet18-w8_toy-cls.py".')
    return osp.abspath(ref)


def _candidates(model: nn.Module, task: str, num_classes: int) -> List[str]:
    """The record specs a rule may choose from (their shapes are traced)."""
    names = dict(model.named_modules())
    found = [n for n in ('neck', 'backbone') if n in names]
    if task == 'seg' and 'decode_head.conv_seg' in names:
        found += ['decode_head.conv_seg', 'decode_head.conv_seg:input']
    if task == 'cls':
        found += [n for n, m in names.items() if n.startswith('head.') and
                  isinstance(m, nn.Linear) and m.out_features == num_classes]
    return found


def trace_side(ref: str, size: Optional[Tuple[int, int]] = None) -> Side:
    """Build a model from its config (random weights) and record its candidate modules once.

    Args:
        ref (str): ``pkg::path``, ``mmkd_ext::path`` or a local path of its training config.
        size (tuple, optional): ``(H, W)`` of the synthetic batch; per task by default.

    Returns:
        Side: The traced model's description.
    """
    path = loadable(ref)
    cfg = load_model_config(path)
    model = build_teacher_model(path).eval()
    task = task_of(model)
    num_classes = num_classes_of(model, task)
    names = _candidates(model, task, num_classes)
    modules = dict(model.named_modules())
    if task == 'seg' and 'decode_head.conv_seg' not in modules:
        head = type(modules.get('decode_head')).__name__
        raise InputError(
            f'{ref} has no decode_head.conv_seg: its {head} is a query-based head (Mask2Former, '
            f'K-Net, MaskFormer) that predicts masks per query, not per-pixel logits, so neither '
            f'segmentation rule applies (logits of conv_seg; the last decoder feature, its input).')
    recorders = [ModuleRecorder(modules[n.split(':')[0]], n, 'model') for n in names]
    # Two images: a GroupNorm of a 1 x 1 map needs more than one value per group.
    batch = fake_batch(model, 2, size or TRACE_SIZES[task])
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')), torch.no_grad():
        data = model.data_preprocessor(batch, False)
        for recorder in recorders:
            recorder.start()
        try:
            model(data['inputs'], data['data_samples'], mode='tensor')
        finally:
            for recorder in recorders:
                recorder.stop()
                recorder.remove()
    shapes: Dict[str, Tuple[int, ...]] = {}
    for recorder in recorders:
        if len(recorder.outputs) == 1:
            _shapes_of(recorder.outputs[0], recorder.name, shapes)
    return Side(ref, path, cfg, task, num_classes, modules, shapes,
                tuple(data['inputs'].shape[-2:]))


def _shapes_of(value, spec: str, shapes: Dict[str, Tuple[int, ...]]) -> None:
    """``{spec[i]: shape}`` of a tensor or of the tensors of a tuple (one level deep)."""
    if isinstance(value, torch.Tensor):
        shapes[spec] = tuple(value.shape)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            if isinstance(item, torch.Tensor):
                shapes[f'{spec}[{i}]'] = tuple(item.shape)


def _found(side: Side) -> str:
    """What a refusal lists: the traced records and their shapes."""
    return ', '.join(f'{k} {v}' for k, v in side.shapes.items()) or 'no candidate module ran'


def _levels(side: Side) -> Dict[int, str]:
    """``{stride: 'neck[i]'}`` of a detector's neck outputs (maps)."""
    levels = {}
    for spec, shape in side.shapes.items():
        module, index = parse_record_spec(spec)
        if module == 'neck' and len(shape) == 4 and index:
            levels.setdefault(side.input_size[0] // shape[2], spec)
    return levels


def _one(side: Side, who: str, wanted: str, dims: Tuple[int, ...], specs: List[str]) -> str:
    """The first of ``specs`` the trace recorded with ``dims`` dimensions, or a refusal."""
    for spec in specs:
        shape = _lookup(side, spec)
        if shape is not None and len(shape) in dims:
            return spec
    if any(len(_lookup(side, s) or ()) == 3 for s in specs):
        raise InputError(f'The {who} ({side.ref}) gives a token sequence (B, N, C) where {wanted} '
                         f'is needed; the generator pairs maps and vectors only. Found: '
                         f'{_found(side)}.')
    raise InputError(f'The {who} ({side.ref}) has no {wanted}. Found: {_found(side)}.')


def _pair_specs(student: Side, teacher: Side, what: str) -> List[Tuple[str, str, str, str]]:
    """``[(name, student spec, teacher spec, why)]`` for one task and one kind of record."""
    task = student.task
    if task == 'det':
        s_levels, t_levels = _levels(student), _levels(teacher)
        common = sorted(set(s_levels) & set(t_levels))
        if not common:
            raise InputError(
                f'No common stride between the necks: the student\'s levels have strides '
                f'{sorted(s_levels) or "none (no neck output)"}, the teacher\'s '
                f'{sorted(t_levels) or "none (no neck output)"}. Found: student {_found(student)}; '
                f'teacher {_found(teacher)}.')
        return [(f'fpn_s{s}', s_levels[s], t_levels[s], f', stride {s}') for s in common]
    if task == 'seg':
        spec = 'decode_head.conv_seg' if what == 'logits' else 'decode_head.conv_seg:input[0]'
        wanted = 'decode head logits (conv_seg)' if what == 'logits' else \
            'last decoder feature (the input of decode_head.conv_seg)'
        for who, side in (('student', student), ('teacher', teacher)):
            _one(side, who, wanted, (4, ), [spec])
        return [('logits' if what == 'logits' else 'decoder', spec, spec, '')]
    if what == 'logits':
        specs = [_one(side, who, 'head logits (a Linear layer of the head with one output per '
                      'class)', (2, ), [s for s in side.shapes if s.startswith('head.')][-1:])
                 for who, side in (('student', student), ('teacher', teacher))]
        return [('logits', specs[0], specs[1], '')]
    specs = [_one(side, who, 'pooled feature (B, C) (the neck\'s output, else the backbone\'s)',
                  (2, ), ['neck[-1]', 'backbone[-1]'])
             for who, side in (('student', student), ('teacher', teacher))]
    return [('pooled', specs[0], specs[1], '')]


def _lookup(side: Side, spec: str) -> Optional[Tuple[int, ...]]:
    """The traced shape of a spec (``[-1]``: the last output of a tuple), ``None`` if untraced."""
    if spec in side.shapes or not spec.endswith('[-1]'):
        return side.shapes.get(spec)
    same = [s for s in side.shapes if s.startswith(spec[:-len('-1]')])]
    return side.shapes[same[-1]] if same else None


def _shape(side: Side, spec: str) -> Tuple[int, ...]:
    shape = _lookup(side, spec)
    assert shape is not None, spec  # every planned spec was traced
    return shape


def _connector(kind: str, cs: int, ct: int, dims: int) -> Optional[dict]:
    """The connector of a point between widths ``cs`` and ``ct`` (``dims``: 2 vector, 4 map)."""
    if kind == 'diffkd':
        return dict(type='DiffKDDenoiser', student_channels=cs, teacher_channels=ct,
                    kind='map' if dims == 4 else 'vector')
    if kind == 'ensemble':
        return dict(type='ProjectorEnsemble', student_channels=cs, teacher_channels=ct,
                    num_projectors=3)
    if cs == ct:
        return None
    if kind == 'nd':
        return dict(type='NDProjector', student_channels=cs, teacher_channels=ct)
    if kind == 'projector':
        return dict(type='Projector', student_channels=cs, teacher_channels=ct)
    raise InputError(f'The method compares outputs of equal width without a connector, but the '
                     f'student gives {cs} and the teacher {ct} channels.')


def _scaled_loss(method: str, num_classes: int) -> Tuple[dict, float]:
    """The method's loss and weight, with the small-class-count setting where one is shipped."""
    spec = METHODS[method]
    loss = dict(spec.loss)
    if num_classes < 1000 and method == 'kd':
        loss['tau'] = 4.0
    if num_classes < 1000 and method == 'dkd':
        loss.update(alpha=2.0, beta=8.0, tau=4.0)
    return loss, spec.weight


def plan_points(student: Side, teacher: Side, method: str) -> List[Point]:
    """The distillation points of ``method`` between two traced models (the pairing rule).

    Raises:
        InputError: When the method does not apply to the task or the pair (see the module doc).
    """
    if method not in METHODS:
        raise InputError(f'--method {method!r} is not one of {sorted(METHODS)}.')
    spec = METHODS[method]
    if student.task != teacher.task:
        raise InputError(f'The student ({student.ref}) is {TASK_NAMES[student.task]} and the '
                         f'teacher ({teacher.ref}) {TASK_NAMES[teacher.task]}: both must be of '
                         f'the same task.')
    task = student.task
    if task not in spec.tasks:
        usable = sorted(m for m, s in METHODS.items() if task in s.tasks)
        raise InputError(f'--method {method} does not apply to {TASK_NAMES[task]}: '
                         f'{spec.refusals.get(task, "")}. Methods for this task: {usable}.')
    what = spec.tasks[task]
    if what == 'logits' and student.num_classes != teacher.num_classes:
        raise InputError(f'--method {method} compares logits class by class, but the student '
                         f'predicts {student.num_classes} classes and the teacher '
                         f'{teacher.num_classes}. Use a feature method or a teacher trained on '
                         f'the same classes.')
    loss, weight = _scaled_loss(method, student.num_classes)
    if task != 'det' and method == 'diffkd':
        weight = 1.0
    rule = RULES[(task, 'pooled' if what == 'pooled' else what)]
    points = []
    for name, s_spec, t_spec, why in _pair_specs(student, teacher, what):
        s_shape, t_shape = _shape(student, s_spec), _shape(teacher, t_spec)
        if s_shape[2:] != t_shape[2:]:
            raise InputError(
                f'No common stride for {why or rule}: the student\'s {s_spec} is {s_shape} and the '
                f'teacher\'s {t_spec} is {t_shape} (B, C, H, W) on the same {student.input_size} '
                f'input; the points compare position by position.')
        connector = _connector(spec.connector, s_shape[1], t_shape[1], len(s_shape))
        point_loss = dict(loss)
        if method == 'nd':
            point_loss.update(num_classes=teacher.num_classes, embed_dim=t_shape[1],
                              class_means=f'work_dirs/class_means/{_stem(teacher.ref)}_pooled.pth')
        points.append(Point(name if method != 'nd' else 'nd', s_spec, t_spec, s_shape, t_shape,
                            connector, point_loss, weight, rule, why))
    if method == 'nd':  # KD++: KD on the logits beside ND
        kd_loss = dict(type='KDLoss', tau=1.0 if student.num_classes >= 1000 else 4.0)
        kd_weight = 2.5 if student.num_classes >= 1000 else 1.0
        if student.num_classes != teacher.num_classes:
            raise InputError(f'--method nd (KD++) adds KD on the logits and one ND class mean per '
                             f'class: the student predicts {student.num_classes} classes, the '
                             f'teacher {teacher.num_classes}.')
        for name, s_spec, t_spec, why in _pair_specs(student, teacher, 'logits'):
            points.insert(0, Point('kd', s_spec, t_spec, _shape(student, s_spec),
                                   _shape(teacher, t_spec), None, kd_loss, kd_weight,
                                   RULES[('cls', 'logits')], why))
    return points


def _stem(ref: str) -> str:
    return osp.splitext(osp.basename(ref.split('::')[-1]))[0]


def _call(d: dict) -> str:
    """``dict(type='X', a=1)`` as Python source."""
    return 'dict(' + ', '.join(f'{k}={v!r}' for k, v in d.items()) + ')'


def _base_ref(student: Side, out_dir: str) -> str:
    """The student's config as the generated file's ``_base_`` (relative to the file if local)."""
    if '::' in student.path:
        return student.path
    return osp.relpath(student.path, out_dir)


def render_config(student: Side, teacher: Side, method: str, points: List[Point],
                  teacher_checkpoint: Optional[str], out_dir: str) -> str:
    """The text of the generated config (the idiom of docs/get_started.md).

    Args:
        student (Side): The traced student.
        teacher (Side): The traced teacher.
        method (str): The method's name.
        points (list): The planned points.
        teacher_checkpoint (str, optional): Path or URL of the teacher's weights.
        out_dir (str): The folder the config goes into (local ``_base_`` paths are relative).

    Returns:
        str: Python source, under 40 lines for every rule.
    """
    spec = METHODS[method]
    rules = list(dict.fromkeys(p.rule for p in points))
    lines = [f'# {method}: teacher {teacher.ref}', f'#   -> student {student.ref}',
             '# Written by tools/make_config.py; the pairing rule (docs/distil_your_own_pair.md):']
    lines += [f'#   {rule}' for rule in rules] + ['# Points:']
    for p in points:
        conn = f'; {p.connector["type"]} {p.student_shape[1]}->{p.teacher_shape[1]}' \
            if p.connector else ''
        lines.append(f'#   {p.name}: {p.student} {p.student_shape[1:]} <- {p.teacher} '
                     f'{p.teacher_shape[1:]}{p.why}{conn}')
    lines.append(f'# Weights: {spec.source}.')
    if method == 'nd':
        lines.append('# Class means: ClassMeansHook computes them before training when the file '
                     'is missing.')
    if teacher_checkpoint is None:
        lines.append('# No teacher checkpoint given: set model.teacher.checkpoint (--cfg-options).')
    imports = list((student.cfg.get('custom_imports') or {}).get('imports', []) or [])
    imports = ([imports] if isinstance(imports, str) else imports) + ['mmkd_ext']
    lines = [wrapped for line in lines
             for wrapped in textwrap.wrap(line, 99, subsequent_indent='#     ')]
    lines += [f'_base_ = [{_base_ref(student, out_dir)!r}]',
              f'custom_imports = dict(imports={sorted(set(imports), key=imports.index)!r}, '
              f'allow_failed_imports=False)',
              'model = dict(', '    _delete_=True,', "    type='FeatureDistiller',",
              '    student=_base_.model,',
              f'    teacher=dict(config={teacher.path!r}, checkpoint={teacher_checkpoint!r}),',
              '    distill_points=dict(']
    for p in points:
        head = f'        {p.name}=dict(student={p.student!r}, teacher={p.teacher!r}, ' \
               f'weight={p.weight!r},'
        lines.append(head)
        if p.connector:
            lines.append(f'            connector={_call(p.connector)},')
        lines.append(f'            loss={_call(p.loss)}),')
    lines[-1] = lines[-1][:-1] + '))'
    if method == 'nd':
        warmup = dict(type='DistillLossWarmupHook', points='kd', warmup_epochs=5) \
            if student.cfg.get('train_cfg', {}).get('by_epoch', True) else None
        hooks = [h for h in (student.cfg.get('custom_hooks') or [])] + \
            [dict(type='ClassMeansHook')] + ([warmup] if warmup else [])
        lines.append('custom_hooks = [' + ', '.join(_call(h) for h in hooks) + ']')
    return '\n'.join(lines) + '\n'


def make_distill_config(student: str,
                        teacher: str,
                        method: str,
                        teacher_checkpoint: Optional[str] = None,
                        out: Optional[str] = None,
                        trace_size: Optional[Tuple[int, int]] = None) -> str:
    """Write the distillation config of a pair: the student's stock config, a teacher, the points.

    Args:
        student (str): The student's training config: ``mmdet::``, ``mmseg::``, ``mmpretrain::``,
            ``mmkd_ext::`` (this repository's configs/) or a local path.
        teacher (str): The teacher's training config, in the same forms.
        method (str): One of :data:`METHODS`.
        teacher_checkpoint (str, optional): Path or URL of the teacher's weights (``None``: set it
            later with ``--cfg-options model.teacher.checkpoint=...``).
        out (str, optional): Where to write it; the text is returned either way.
        trace_size (tuple, optional): ``(H, W)`` of the synthetic images the models are traced on.

    Returns:
        str: The config's text.

    Raises:
        InputError: When the method does not fit the task or the pair, or no pairing exists.
    """
    if method not in METHODS:
        raise InputError(f'--method {method!r} is not one of {sorted(METHODS)}.')
    student_side = trace_side(student, trace_size)
    teacher_side = trace_side(teacher, trace_size)
    points = plan_points(student_side, teacher_side, method)
    out_dir = osp.dirname(osp.abspath(out)) if out else os.getcwd()
    text = render_config(student_side, teacher_side, method, points, teacher_checkpoint, out_dir)
    if out:
        os.makedirs(out_dir, exist_ok=True)
        # Written whole, then renamed: the ranks of a distributed tools/train.py all generate it.
        partial = f'{out}.{os.getpid()}.part'
        with open(partial, 'w') as f:
            f.write(text)
        os.replace(partial, out)
    return text


def add_pair_args(parser: argparse.ArgumentParser, required: bool = False) -> None:
    """Add ``--student``, ``--teacher``, ``--teacher-checkpoint`` and ``--method`` to a parser.

    Args:
        parser (ArgumentParser): The tool's parser.
        required (bool): Whether the pair is the tool's only input (tools/make_config.py).
    """
    group = parser.add_argument_group('distil a pair (the config is generated)')
    group.add_argument('--student', required=required,
                       help='the student\'s training config: mmdet::, mmseg::, mmpretrain::, '
                       'mmkd_ext:: or a local path')
    group.add_argument('--teacher', required=required, help='the teacher\'s training config')
    group.add_argument('--teacher-checkpoint', help='path or URL of the teacher\'s weights')
    group.add_argument('--method', required=required, choices=sorted(METHODS),
                       help='the distillation method')


def pair_name(args: argparse.Namespace) -> str:
    """``<method>_<teacher>-<student>``: the generated config's default name."""
    return f'{args.method}_{_stem(args.teacher)}-{_stem(args.student)}'


def generate_train_config(args: argparse.Namespace) -> None:
    """tools/train.py with ``--student/--teacher/--method``: write the config into the work dir.

    Sets ``args.config`` to the written file and ``args.work_dir`` to its folder, so that the run,
    ``--resume`` and tools/test.py all use that file.

    Raises:
        InputError: When ``config`` and a pair are both given, or the pair is incomplete.
    """
    pair = [args.student, args.teacher, args.method]
    if args.config and any(pair):
        raise InputError('Give either a CONFIG or --student/--teacher/--method, not both.')
    if not args.config and not all(pair):
        raise InputError('Give a CONFIG, or --student, --teacher and --method (the config is then '
                         'generated into the work dir).')
    if args.config:
        return
    args.work_dir = args.work_dir or osp.join('work_dirs', pair_name(args))
    args.config = osp.join(args.work_dir, pair_name(args) + '.py')
    make_distill_config(args.student, args.teacher, args.method, args.teacher_checkpoint,
                        out=args.config)
    print(f'Generated {args.config}')
