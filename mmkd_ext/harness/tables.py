"""The tables that ``tools/reproduce.py`` runs: one per method and data set, read from the
metafiles of ``model-index.yml`` (config, teacher, paper number), and the toy benchmark's.

A table is a list of runs. A run whose teacher is a local checkpoint (the CIFAR-100 teachers,
the toy teachers) depends on a teacher run of the same table that trains first; its checkpoint
becomes the run's ``model.teacher.checkpoint``.
"""
import math
import os.path as osp
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

import yaml

from .suite import EXPERIMENTS, TEACHER_SEED, PlannedRun, select_runs

#: Data set in the metafiles -> (key in table names, metric key MMEngine logs, scale to the
#: paper's unit, the unit). Detection logs bbox mAP in 0..1; mmseg and mmpretrain log percent.
DATASETS: Dict[str, Tuple[str, str, float, str]] = {
    'COCO': ('coco', 'coco/bbox_mAP', 100.0, 'box AP'),
    'Cityscapes': ('cityscapes', 'mIoU', 1.0, 'mIoU'),
    'ADE20K': ('ade20k', 'mIoU', 1.0, 'mIoU'),
    'ImageNet-1k': ('in1k', 'accuracy/top1', 1.0, 'top-1'),
    'CIFAR-100': ('cifar100', 'accuracy/top1', 1.0, 'top-1'),
}
#: Training images per epoch of the epoch-based settings: COCO train2017 images with at least
#: one annotation (mmdet's ``filter_empty_gt``), ImageNet-1k train, CIFAR-100 train.
TRAIN_IMAGES = {'coco': 117266, 'in1k': 1281167, 'cifar100': 50000}
#: Name of the toy benchmark's table.
TOY_TABLE = 'toy'
TOY_CONFIGS = 'configs/toy'


class TableRun(NamedTuple):
    """One run of a table.

    ``name`` is unique in the table (the config's name), ``config`` relative to the repository
    root, ``metric`` the key MMEngine logs and ``scale`` turns it into the paper's ``unit``.
    ``teacher_run`` names the run of the same table whose checkpoint is this run's teacher.
    ``options`` are ``--cfg-options`` of the run; ``{work_dir}`` in a value is its work dir.
    ``role`` is ``teacher``, ``student`` or ``distilled``; ``label`` and ``task`` name a toy
    run in the benchmark's report; ``path`` is the work dir under the work root (default
    ``<table>/<name>``).
    """
    name: str
    config: str
    metric: str
    scale: float
    unit: str
    paper: Optional[float] = None
    teacher_run: Optional[str] = None
    options: Tuple[Tuple[str, str], ...] = ()
    seed: int = 0
    role: str = 'distilled'
    label: str = ''
    task: str = ''
    path: str = ''


class Table(NamedTuple):
    """A named list of runs, teachers before the runs that need them.

    ``single_thread``: the runs' children use one CPU thread (the toy benchmark's numbers
    depend on it); ``data`` is the toy data folder whose ``meta.json`` enters the fingerprints.
    """
    name: str
    title: str
    runs: Tuple[TableRun, ...]
    single_thread: bool = False
    data: Optional[str] = None


def _teacher_run(entry: dict, dataset: str, repo_root: str) -> Optional[TableRun]:
    """The teacher as a run of the table when its checkpoint is not a download but trained
    here (the metafile gives its config and the checkpoint that config writes)."""
    meta = entry.get('Metadata', {})
    checkpoint = meta.get('Teacher Checkpoint')
    config = meta.get('Teacher Config', '')
    if not checkpoint or '://' in checkpoint or '::' in config:
        return None
    if not osp.isfile(osp.join(repo_root, config)):
        raise FileNotFoundError(f'{entry["Name"]}: teacher config {config} not found')
    _, metric, scale, unit = DATASETS[dataset]
    return TableRun(osp.splitext(osp.basename(config))[0], config, metric, scale, unit,
                    role='teacher')


def paper_tables(repo_root: str) -> Dict[str, Table]:
    """Every ``<method>-<data set>`` table of the metafiles that ``model-index.yml`` imports.

    Args:
        repo_root (str): Repository root.

    Returns:
        dict[str, Table]: By name, e.g. ``diffkd-coco``, in metafile order.
    """
    with open(osp.join(repo_root, 'model-index.yml')) as f:
        imports = yaml.safe_load(f)['Import']
    runs: Dict[str, List[TableRun]] = {}
    titles: Dict[str, str] = {}
    for metafile in imports:
        with open(osp.join(repo_root, metafile)) as f:
            meta = yaml.safe_load(f)
        method = meta['Collections'][0]['Name']
        for entry in meta['Models']:
            dataset = entry['Metadata']['Training Data']
            key, metric, scale, unit = DATASETS[dataset]
            name = f'{method.lower()}-{key}'
            titles[name] = f'{method}, {dataset}'
            table = runs.setdefault(name, [])
            paper = None
            for result in entry.get('Results', []):
                paper = next(iter(result['Metrics'].values()), None)
            teacher = _teacher_run(entry, dataset, repo_root)
            if teacher is not None and teacher.name not in {r.name for r in table}:
                table.append(teacher)
            table.append(TableRun(entry['Name'], entry['Config'], metric, scale, unit, paper,
                                  teacher.name if teacher else None))
    # Teachers first: a run starts only after its teacher has finished.
    return {name: Table(name, titles[name],
                        tuple(sorted(rs, key=lambda r: r.role != 'teacher')))
            for name, rs in runs.items()}


def toy_runs(planned: Sequence[PlannedRun], unique_names: bool = False) -> Tuple[TableRun, ...]:
    """Runs of the toy benchmark as table runs, in ``tools/demo.py``'s work-dir layout
    (``<task>/teacher/seed0``, ``<task>/<config name>/seed<seed>``), so that the demo and the toy
    table share their finished runs.

    Args:
        planned (Sequence[PlannedRun]): From :func:`~.suite.select_runs`, teachers first.
        unique_names (bool): Name each run by its work dir (several seeds); otherwise by its
            config's name (one seed).
    """
    runs: List[TableRun] = []
    teachers: Dict[str, str] = {}
    for run in planned:
        exp = run.experiment
        stem = osp.splitext(run.config)[0]
        path = osp.join(exp.task, 'teacher' if run.role == 'teacher' else stem, f'seed{run.seed}')
        name = path if unique_names else stem
        if run.role == 'teacher':
            teachers[exp.task] = name
        runs.append(TableRun(name, f'{TOY_CONFIGS}/{run.config}', exp.metric, exp.scale,
                             exp.metric_label, None,
                             teachers[exp.task] if run.role == 'distilled' else None,
                             run.options, run.seed, run.role, run.label, exp.task, path))
    return tuple(runs)


def toy_table(planned: Optional[Sequence[PlannedRun]] = None) -> Table:
    """The toy benchmark as a table: by default its short demo (seed 0, the main methods; per
    task the teacher, the plain student and the distilled students), else ``planned`` (named by
    work dir)."""
    if planned is None:
        runs = toy_runs(select_runs([e.task for e in EXPERIMENTS], [TEACHER_SEED],
                                    all_methods=False))
    else:
        runs = toy_runs(planned, unique_names=True)
    title = 'toy benchmark' + (' (short demo, seed 0)' if planned is None else '')
    return Table(TOY_TABLE, title, runs, True, 'data/toy')


def all_tables(repo_root: str) -> Dict[str, Table]:
    """The paper tables and the toy table, by name."""
    tables = paper_tables(repo_root)
    tables[TOY_TABLE] = toy_table()
    return tables


def total_iterations(cfg, gpus: int) -> Optional[int]:
    """Training iterations of a config on ``gpus`` GPUs (None when the data set size is not
    known, e.g. an epoch-based schedule on a data set not in :data:`TRAIN_IMAGES`).

    Args:
        cfg (mmengine.Config): The config.
        gpus (int): GPUs (processes) sharing the work; each takes a batch per iteration.
    """
    train_cfg = cfg.get('train_cfg') or {}
    if 'max_iters' in train_cfg:
        return int(train_cfg['max_iters'])
    if 'max_epochs' not in train_cfg:
        return None
    images = next((n for key, n in TRAIN_IMAGES.items() if key in osp.basename(cfg.filename)),
                  None)
    batch = (cfg.get('train_dataloader') or {}).get('batch_size')
    if images is None or not batch:
        return None
    return int(train_cfg['max_epochs']) * math.ceil(images / (batch * gpus))
