"""The stated seconds-per-iteration reference behind the dry run's GPU-hour estimate.

No GPU is reachable where mmkd_ext is developed, so the reference joins two things:

1. **Anchors** (:data:`ANCHORS`): training speeds that the OpenMMLab toolboxes publish for a
   stock model on named GPUs, with where each number is printed.
2. **CPU work ratios** (``speed_reference.json`` beside this file, written by
   ``tools/misc/speed_reference.py``): the CPU time of a run's distilled training step (student
   step, teacher forward, connectors and losses) over the CPU time of the anchor model's plain
   training step, both timed by ``tools/benchmark.py`` on one thread at the same batch and
   input size.

The estimate of a run is ``anchor seconds per iteration × ratio``. It assumes the GPU time of a
step grows like its CPU work, which holds roughly for convolutional networks and is meant for
planning, not for a claim. A run that has logged its own speed in its work dir replaces the
reference (:meth:`mmkd_ext.harness.Reproduction.estimate`).
"""
import json
import os.path as osp
from typing import Dict, NamedTuple, Optional

#: Where ``tools/misc/speed_reference.py`` writes the measured CPU times.
REFERENCE_FILE = osp.join(osp.dirname(__file__), 'speed_reference.json')


class Anchor(NamedTuple):
    """A published training speed of a stock model.

    ``seconds`` per iteration on ``hardware`` with ``images_per_gpu`` images per GPU, printed
    in ``source``. ``measured_by`` is the run (config name) whose plain student step is this
    model on CPU, timed by ``tools/misc/speed_reference.py``: the denominator of every ratio
    against this anchor.
    """
    label: str
    seconds: float
    hardware: str
    images_per_gpu: int
    source: str
    measured_by: str


_MMDET_COMPARISON = ('MMDetection 2.x docs/en/model_zoo.md, "Comparison with Detectron2", '
                     'Training Speed')
_MMDET_HARDWARE = '8 x V100 32 GB (PyTorch 1.4, CUDA 10.1)'

ANCHORS: Dict[str, Anchor] = {
    'faster-rcnn_r50_fpn': Anchor('MMDetection Faster R-CNN R-50-FPN', 0.216, _MMDET_HARDWARE, 2,
                                  _MMDET_COMPARISON, 'diffkd_faster-rcnn_r101-r50_fpn_2x_coco'),
    'retinanet_r50_fpn': Anchor('MMDetection RetinaNet R-50-FPN', 0.205, _MMDET_HARDWARE, 2,
                                _MMDET_COMPARISON, 'diffkd_retinanet_r101-r50_fpn_2x_coco'),
}

#: Student model type -> the anchor of its kind: two-stage detectors against Faster R-CNN,
#: dense single-stage FPN detectors against RetinaNet. The CPU ratio carries the difference
#: of depth, head and distillation work.
ANCHOR_OF_STUDENT_TYPE: Dict[str, str] = {
    'FasterRCNN': 'faster-rcnn_r50_fpn',
    'RetinaNet': 'retinanet_r50_fpn',
    'FCOS': 'retinanet_r50_fpn',
    'RepPointsDetector': 'retinanet_r50_fpn',
}


class SpeedReference(NamedTuple):
    """An estimated ``seconds`` per iteration and a one-line account of where it comes from."""
    seconds: float
    source: str


def load_measurements(path: str = REFERENCE_FILE) -> dict:
    """The CPU timings written by ``tools/misc/speed_reference.py`` (empty if none)."""
    if not osp.isfile(path):
        return {'runs': {}}
    with open(path) as f:
        return json.load(f)


def reference_speed(run_name: str, measurements: Optional[dict] = None) -> Optional[SpeedReference]:
    """The reference seconds per iteration of the run named ``run_name`` (a config name), or
    ``None`` when the run, its anchor or the anchor's own CPU time has not been measured, or the
    two were timed at another batch or input size (after the data preprocessor's padding) than
    each other or the anchor's batch (the ratio would then not compare like with like)."""
    measurements = load_measurements() if measurements is None else measurements
    runs = measurements.get('runs', {})
    run = runs.get(run_name)
    anchor_name = ANCHOR_OF_STUDENT_TYPE.get(run['student_type']) if run else None
    if anchor_name is None:
        return None
    anchor = ANCHORS[anchor_name]
    base = runs.get(anchor.measured_by)
    if (base is None or not run['batch_size'] == base['batch_size'] == anchor.images_per_gpu
            or run['input_size'] != base['input_size']):
        return None
    ratio = run['seconds']['distilled_step'] / base['seconds']['student_step']
    return SpeedReference(
        anchor.seconds * ratio,
        f'reference: {anchor.label} {anchor.seconds} s/iter on {anchor.hardware}, '
        f'{anchor.source}, x {ratio:.2f}, the CPU work of this distilled step over that '
        f'model\'s plain step (tools/misc/speed_reference.py)')
