"""Compare students with their teacher over a data set: CKA, feature norms, accuracy, calibration.

The library behind ``tools/analyze.py``. One distiller is built (the teacher is loaded once); every
checkpoint is loaded into it in turn and run over the same samples.
"""
import os
import os.path as osp
import warnings
from typing import Dict, Iterable, List, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.runner.checkpoint import CheckpointLoader
from mmengine.utils import ProgressBar
from torch import Tensor

from ..datasets.synthetic_batch import task_of
from .metrics import (expected_calibration_error, linear_cka, pool_features, reliability_bins,
                      top1_accuracy)
from .plots import plot_cka, plot_norm_histograms, plot_reliability

FEATURE_NOTE = ('Features are global-average-pooled over every dimension after the channels '
                '((B, C, H, W) -> (B, C)) before CKA and norms; raw records, before the connector.')


def load_student_weights(distiller: nn.Module, checkpoint: str) -> None:
    """Load a distiller checkpoint or a plain student checkpoint into ``distiller``.

    Plain student keys are prefixed with ``student.`` by the distiller's own load hook.

    Raises:
        ValueError: if no student weight in the file matches the student.
    """
    loaded = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    state = loaded.get('state_dict', loaded) if isinstance(loaded, dict) else loaded
    state = {k[len('module.'):] if k.startswith('module.') else k: v for k, v in state.items()}
    missing, _ = distiller.load_state_dict(state, strict=False)
    wanted = [k for k in distiller.state_dict()
              if k.startswith('student.') and not k.endswith('num_batches_tracked')]
    missed = [k for k in missing if k in wanted]
    if len(missed) == len(wanted):
        raise ValueError(f'"{checkpoint}" holds no weight of this student (keys like '
                         f'{list(state)[:3]}); give a distiller or student checkpoint of this config.')
    if missed:
        warnings.warn(f'"{checkpoint}" misses {len(missed)} student weights, e.g. {missed[:5]}; '
                      f'they keep their initial values.')


class Collection:
    """Pooled student/teacher features per point, and predictions, over the analysed samples."""

    def __init__(self, points: Iterable[str]) -> None:
        self.student: Dict[str, List[Tensor]] = {p: [] for p in points}
        self.teacher: Dict[str, List[Tensor]] = {p: [] for p in points}
        self.errors: Dict[str, str] = {}
        self.probs: List[Tensor] = []
        self.labels: List[Tensor] = []
        self.num_samples = 0

    def cat(self, side: str, point: str) -> Tensor:
        return torch.cat(getattr(self, side)[point])


@torch.no_grad()
def collect(distiller: nn.Module, loader: Iterable, max_samples: Optional[int] = None,
            progress: bool = True) -> Collection:
    """Run the student (predict mode) and the teacher (records only) over ``loader``.

    Args:
        distiller (nn.Module): A built :class:`FeatureDistiller` with the weights to analyse.
        loader (Iterable): A validation dataloader.
        max_samples (int, optional): Stop after this many samples.
        progress (bool): Show an mmengine progress bar.

    Returns:
        Collection: Pooled features per point; class probabilities and labels for classifiers.
    """
    distiller.eval()
    is_cls = task_of(distiller.student) == 'cls'
    result = Collection(distiller.points)
    total = len(loader.dataset) if hasattr(loader, 'dataset') else None
    if max_samples is not None and total is not None:
        total = min(total, max_samples)
    bar = ProgressBar(total) if progress and total else None
    seen = 0
    for batch in loader:
        data = distiller.data_preprocessor(batch, False)
        inputs, samples = data['inputs'], data['data_samples']
        keep = len(inputs) if max_samples is None else min(len(inputs), max_samples - seen)
        distiller.student_recorders.start()
        try:
            predictions = distiller.student(inputs, samples, mode='predict')
        finally:
            distiller.student_recorders.stop()
        teacher_records = distiller.teacher.record(inputs, samples)
        for name, point in distiller.points.items():
            if name in result.errors:
                continue
            try:
                s = distiller.student_recorders.get(point.student_module, point.student_index)
                t = teacher_records.get(point.teacher_module, point.teacher_index)
                if not isinstance(s, Tensor) or not isinstance(t, Tensor):
                    raise TypeError('the record is not a tensor; add an output index')
                if s.shape[0] != len(inputs) or t.shape[0] != len(inputs):
                    # RoI features have one row per box, not per image: CKA needs paired rows.
                    raise ValueError(f'the records have {s.shape[0]} / {t.shape[0]} rows for '
                                     f'{len(inputs)} images, not one per image')
            except (RuntimeError, IndexError, TypeError, ValueError) as exc:
                result.errors[name] = str(exc)
                continue
            result.student[name].append(pool_features(s)[:keep])
            result.teacher[name].append(pool_features(t)[:keep])
        if is_cls:
            result.probs.append(torch.stack([p.pred_score.float().cpu() for p in predictions[:keep]]))
            result.labels.append(torch.cat([p.gt_label.cpu() for p in predictions[:keep]]))
        seen += keep
        if bar is not None:
            bar.update(keep)
        if max_samples is not None and seen >= max_samples:
            break
    if bar is not None:
        print()
    result.num_samples = seen
    return result


def summarise(collection: Collection, n_bins: int = 15) -> dict:
    """The JSON-ready numbers of one checkpoint (norm lists are kept for the histograms)."""
    points = {}
    for name in collection.student:
        if name in collection.errors or not collection.student[name]:
            continue
        s, t = collection.cat('student', name), collection.cat('teacher', name)
        s_norm, t_norm = s.norm(dim=1), t.norm(dim=1)
        points[name] = dict(
            cka=linear_cka(s, t),
            student_dim=s.shape[1],
            teacher_dim=t.shape[1],
            student_norm_mean=float(s_norm.mean()),
            student_norm_std=float(s_norm.std()) if len(s_norm) > 1 else 0.0,
            teacher_norm_mean=float(t_norm.mean()),
            teacher_norm_std=float(t_norm.std()) if len(t_norm) > 1 else 0.0,
            norm_ratio_mean=float((s_norm / t_norm.clamp(min=1e-12)).mean()),
            student_norms=s_norm.tolist(),
            teacher_norms=t_norm.tolist())
    summary = dict(num_samples=collection.num_samples, points=points,
                   point_errors=dict(collection.errors))
    if collection.probs:
        probs, labels = torch.cat(collection.probs), torch.cat(collection.labels)
        summary.update(
            top1=top1_accuracy(probs, labels),
            ece=expected_calibration_error(probs, labels, n_bins),
            reliability=reliability_bins(probs, labels, n_bins).to_dict())
    return summary


def write_plots(results: List[dict], point_names: Sequence[str], out_dir: str) -> List[str]:
    """CKA bars, norm histograms and (classifiers) reliability diagrams as PNGs in ``out_dir``.

    Args:
        results (list): One :func:`summarise` dict per checkpoint, each with a ``'label'``.
        point_names (Sequence[str]): The distillation points, in config order.
        out_dir (str): Destination folder.

    Returns:
        list: The written paths.
    """
    written = []
    names = [p for p in point_names if any(p in r['points'] for r in results)]
    if names:
        path = osp.join(out_dir, 'cka.png')
        plot_cka(names, {r['label']: [r['points'].get(p, {}).get('cka', 0.0) for p in names]
                         for r in results}, path)
        written.append(path)
        norms: Dict[str, Dict[str, List[float]]] = {}
        for p in names:
            series = {}
            for r in results:
                if p in r['points']:
                    # The teacher's norms are the same for every checkpoint: plotted once.
                    series.setdefault('teacher', r['points'][p]['teacher_norms'])
                    series[f'student {r["label"]}'] = r['points'][p]['student_norms']
            norms[p] = series
        path = osp.join(out_dir, 'feature_norms.png')
        plot_norm_histograms(norms, path)
        written.append(path)
    reliability = {r['label']: dict(r['reliability'], ece=r['ece']) for r in results
                   if 'reliability' in r}
    if reliability:
        path = osp.join(out_dir, 'reliability.png')
        plot_reliability(reliability, path)
        written.append(path)
    return written


def analyze_checkpoints(distiller: nn.Module, loader: Iterable, checkpoints: Sequence[str],
                        labels: Sequence[str], out_dir: str, max_samples: Optional[int] = None,
                        n_bins: int = 15, progress: bool = True) -> dict:
    """Analyse every checkpoint on the same samples; write ``report.json`` and the PNGs.

    Args:
        distiller (nn.Module): The built distiller of the config (teacher loaded).
        loader (Iterable): The validation dataloader.
        checkpoints (Sequence[str]): Distiller or plain student checkpoints.
        labels (Sequence[str]): A label per checkpoint (legends, JSON).
        out_dir (str): Where ``report.json`` and the PNGs go.
        max_samples (int, optional): Analyse at most this many samples.
        n_bins (int): ECE bins.
        progress (bool): Show a progress bar per checkpoint.

    Returns:
        dict: The report (also written to ``out_dir/report.json``).
    """
    import json
    os.makedirs(out_dir, exist_ok=True)
    results = []
    for checkpoint, label in zip(checkpoints, labels):
        load_student_weights(distiller, checkpoint)
        summary = summarise(collect(distiller, loader, max_samples, progress), n_bins)
        results.append(dict(label=label, checkpoint=checkpoint, **summary))
    plots = write_plots(results, list(distiller.points), out_dir)
    report = dict(task=task_of(distiller.student), feature=FEATURE_NOTE, ece_bins=n_bins,
                  checkpoints=results, plots=[osp.basename(p) for p in plots])
    with open(osp.join(out_dir, 'report.json'), 'w') as f:
        json.dump(report, f, indent=1)
    return report
