# PEFD for RetinaNet on the toy detection set, as pefd_faster-rcnn_r18w32-r18w8_fpn_toy-det.py: the
# backbone levels C2-C5, q = 3 1x1-conv projectors per level, per-location cosine, 6.25 per level
# (./_base_/pefd_c2-c5_toy-det.py).
# Train the teacher first:  python tools/train.py configs/toy/retinanet_r18-w32_fpn_toy-det.py
_base_ = [
    './_base_/teachers.py',
    './_base_/pefd_c2-c5_toy-det.py',
    './retinanet_r18-w8_fpn_toy-det.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_retinanet_r18w32_toy,
    distill_points=_base_.pefd_c2_c5_points)
