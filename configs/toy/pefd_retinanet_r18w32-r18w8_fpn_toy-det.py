# PEFD for RetinaNet on the toy detection set, as pefd_faster-rcnn_r18w32-r18w8_fpn_toy-det.py: the
# backbone levels C2-C5, q = 3 1x1-conv projectors per level, per-location cosine, 6.25 per level.
# Train the teacher first:  python tools/train.py configs/toy/retinanet_r18-w32_fpn_toy-det.py
_base_ = ['./_base_/distill_retinanet_r18w32-r18w8_fpn_toy-det.py']

model = dict(
    distill_points={
        f'c{level + 2}': dict(
            student=f'backbone[{level}]',
            teacher=f'backbone[{level}]',
            connector=dict(
                type='ProjectorEnsemble', student_channels=8 * 2**level,
                teacher_channels=32 * 2**level, num_projectors=3),
            loss=dict(type='CosineDistanceLoss', loss_weight=6.25))
        for level in range(4)
    })
