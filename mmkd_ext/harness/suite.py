"""What the toy benchmark runs: per task a teacher, a plain student and distilled students.

Every student of a task (plain and distilled) has the identical schedule, data and augmentation;
only the distillation terms differ. The teacher of a task is trained once (seed 0), on a longer
schedule, before any student, as a real teacher is trained to convergence first.
"""
from typing import Dict, List, Mapping, NamedTuple, Sequence, Tuple, Union


class Method(NamedTuple):
    """A distilled student: its label in tables, its config, and whether the short demo runs it.

    ``options`` are ``--cfg-options`` of every run of the method; ``{work_dir}`` in a value is
    the run's work dir (runs in parallel must not share files such as class means).
    """
    label: str
    config: str
    in_demo: bool = False
    options: Tuple[Tuple[str, str], ...] = ()


# In a sub-folder: the work dir's own *.pth files are the runner's checkpoints.
_OWN_CLASS_MEANS = '{work_dir}/class_means/means.pth'


class Experiment(NamedTuple):
    """A teacher/student pair of one task and the distillation methods run on it.

    ``metric`` is the key of the runner's validation metrics and ``scale`` turns it into points
    (bbox mAP 0..1 -> x100; mmseg's mIoU and mmpretrain's top-1 are already in %).
    """
    task: str
    title: str
    metric: str
    metric_label: str
    scale: float
    teacher: str
    student: str
    methods: Tuple[Method, ...]


TEACHER_SEED = 0
_CLS_ND = (('model.distill_points.nd.loss.class_means', _OWN_CLASS_MEANS), )

EXPERIMENTS: Tuple[Experiment, ...] = (
    Experiment(
        'det', 'Faster R-CNN, toy shapes', 'coco/bbox_mAP', 'bbox mAP', 100.0,
        'faster-rcnn_r18-w32_fpn_toy-det.py', 'faster-rcnn_r18-w8_fpn_toy-det.py',
        (Method('FPN MSE', 'mse_faster-rcnn_r18w32-r18w8_fpn_toy-det.py', True),
         Method('DiffKD', 'diffkd_faster-rcnn_r18w32-r18w8_fpn_toy-det.py', True),
         Method('DiffKD† (FGD loss)', 'diffkd-fgd_faster-rcnn_r18w32-r18w8_fpn_toy-det.py'),
         Method('PEFD (C2-C5)', 'pefd_faster-rcnn_r18w32-r18w8_fpn_toy-det.py'),
         Method('KD++ (RoI ND + KD)', 'nd-kd_faster-rcnn_r18w32-r18w8_fpn_toy-det.py',
                options=(('model.roi_nd.class_means', _OWN_CLASS_MEANS), )))),
    Experiment(
        'retina', 'RetinaNet, toy shapes', 'coco/bbox_mAP', 'bbox mAP', 100.0,
        'retinanet_r18-w32_fpn_toy-det.py', 'retinanet_r18-w8_fpn_toy-det.py',
        (Method('FPN MSE', 'mse_retinanet_r18w32-r18w8_fpn_toy-det.py'),
         Method('DiffKD', 'diffkd_retinanet_r18w32-r18w8_fpn_toy-det.py'),
         Method('DiffKD† (FGD loss)', 'diffkd-fgd_retinanet_r18w32-r18w8_fpn_toy-det.py'),
         Method('PEFD (C2-C5)', 'pefd_retinanet_r18w32-r18w8_fpn_toy-det.py'))),
    Experiment(
        'seg', 'FCN, toy shapes', 'mIoU', 'mIoU', 1.0,
        'fcn_r18-w32_toy-seg.py', 'fcn_r18-w8_toy-seg.py',
        (Method('KD', 'kd_fcn_r18w32-r18w8_toy-seg.py', True),
         Method('CWD', 'cwd_fcn_r18w32-r18w8_toy-seg.py', True),
         Method('DiffKD', 'diffkd_fcn_r18w32-r18w8_toy-seg.py'))),
    Experiment(
        'cls', 'ResNet-18 classifier, toy shapes', 'accuracy/top1', 'top-1', 1.0,
        'resnet18-w32_toy-cls.py', 'resnet18-w8_toy-cls.py',
        (Method('KD', 'kd_resnet18w32-r18w8_toy-cls.py', True),
         Method('DiffKD', 'diffkd_resnet18w32-r18w8_toy-cls.py', True),
         Method('PEFD', 'pefd_resnet18w32-r18w8_toy-cls.py', True),
         Method('KD++ (KD + ND)', 'nd-kd_resnet18w32-r18w8_toy-cls.py', True, _CLS_ND),
         Method('DKD++ (DKD + ND)', 'nd-dkd_resnet18w32-r18w8_toy-cls.py', False, _CLS_ND))),
)

#: The benchmark's seeds per task (``tools/demo.py --benchmark``), fixed before its runs from the
#: plain students' measured spread and the run cost: the cheap, noisier segmentation and
#: classification tasks get 8, the detectors (spread 0.5–3.4 bbox mAP against gains of 7–39) 4.
#: These seeds served to design the protocol.
BENCHMARK_SEEDS: Dict[str, Tuple[int, ...]] = dict(
    det=(0, 1, 2, 3), retina=(0, 1, 2, 3), seg=tuple(range(8)), cls=tuple(range(8)))
#: Seeds held back from the design (``--benchmark --held-out``): a verdict must hold on them too.
HELD_OUT_SEEDS: Dict[str, Tuple[int, ...]] = {
    task: tuple(100 + i for i in range(len(seeds))) for task, seeds in BENCHMARK_SEEDS.items()}

#: Label of the plain student in tables.
STUDENT = 'student'
#: Label of the teacher in tables.
TEACHER = 'teacher'


class PlannedRun(NamedTuple):
    """One training run of the benchmark: ``role`` is 'teacher', 'student' or 'distilled'."""
    experiment: Experiment
    role: str
    label: str
    config: str
    seed: int
    options: Tuple[Tuple[str, str], ...] = ()


def select_runs(tasks: Sequence[str], seeds: Union[Sequence[int], Mapping[str, Sequence[int]]],
                all_methods: bool, methods: Sequence[str] = (),
                distill: bool = True) -> List[PlannedRun]:
    """The runs of a benchmark invocation, teachers first within each task.

    Args:
        tasks (Sequence[str]): Task keys (``det``, ``retina``, ``seg``, ``cls``).
        seeds (Sequence[int] | Mapping[str, Sequence[int]]): Student seeds, the same for every
            task or per task (e.g. :data:`BENCHMARK_SEEDS`); every student of a task runs with
            each of its seeds.
        all_methods (bool): Every method, or only those of the short demo.
        methods (Sequence[str]): When given, only methods whose label or config contains one of
            these strings (case-insensitive), e.g. ``('DiffKD',)``.
        distill (bool): False runs only the teachers and plain students (to measure the
            students' spread over seeds).

    Returns:
        list[PlannedRun]
    """
    known = [e.task for e in EXPERIMENTS]
    unknown = [t for t in tasks if t not in known]
    if unknown:
        raise ValueError(f'unknown task(s) {unknown}; choose from {known}')
    per_task = {t: list(seeds.get(t, ()) if isinstance(seeds, Mapping) else seeds) for t in tasks}
    if not all(per_task.values()):
        raise ValueError('give at least one seed, e.g. --seeds 0 1 2')
    runs: List[PlannedRun] = []
    wanted = [m.lower() for m in methods]
    for exp in EXPERIMENTS:
        if exp.task not in tasks:
            continue
        chosen = [
            m for m in exp.methods if (all_methods or m.in_demo) and (
                not wanted or any(w in m.label.lower() or w in m.config.lower() for w in wanted))
        ]
        if not distill:
            chosen = []
        elif not chosen:
            continue
        runs.append(PlannedRun(exp, 'teacher', TEACHER, exp.teacher, TEACHER_SEED))
        for seed in per_task[exp.task]:
            runs.append(PlannedRun(exp, 'student', STUDENT, exp.student, seed))
            runs += [
                PlannedRun(exp, 'distilled', m.label, m.config, seed, m.options) for m in chosen
            ]
    return runs


def experiment_of(task: str) -> Experiment:
    """The experiment with key ``task``."""
    for exp in EXPERIMENTS:
        if exp.task == task:
            return exp
    raise KeyError(task)


def method_order(exp: Experiment) -> Dict[str, int]:
    """Table order of a task's rows: teacher, student, then the methods as listed."""
    order = {TEACHER: 0, STUDENT: 1}
    order.update({m.label: i + 2 for i, m in enumerate(exp.methods)})
    return order
