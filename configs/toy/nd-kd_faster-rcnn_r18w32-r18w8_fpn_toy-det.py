# KD++ for detection on the toy set (RoIDistiller): the student's sampled RoIs (positives and
# background) are embedded by the student's and by the teacher's own RoI extractor + shared FCs
# (128-d here); ND loss on those embeddings with the RoIs' labels (background = 4, so 5 class
# means, weight 1.5) plus KL (tau 1, weight 1) on the RoI class logits: the authors' Detectron2
# values for their largest capacity gap, R101 -> R18. The teacher runs only to its FPN, then its RoI
# head on the student's RoIs; never its RPN or its losses. ClassMeansHook computes the class means
# from the teacher's own sampled RoIs on the toy training split before training.
# Train the teacher first:  python tools/train.py configs/toy/faster-rcnn_r18-w32_fpn_toy-det.py
_base_ = [
    '../_base_/distill_runtime.py',
    './_base_/teachers.py',
    './faster-rcnn_r18-w8_fpn_toy-det.py',
]

model = dict(
    _delete_=True, type='RoIDistiller', student=_base_.model,
    teacher=_base_.teacher_faster_rcnn_r18w32_toy,
    roi_nd=dict(
        type='NDLoss',
        class_means='work_dirs/class_means/toy_faster-rcnn_r18-w32_roi.pth',
        lazy_load=True,
        loss_weight=1.5),
    roi_kd=dict(type='KDLoss', tau=1.0, loss_weight=1.0))
custom_hooks = [
    dict(type='ClassMeansHook', on_mismatch='recompute'),
    dict(type='StudentCheckpointHook'),
]
