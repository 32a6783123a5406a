# PEFD on the toy detection set, as configs/pefd/pefd_faster-rcnn_r101-r50_fpn_2x_coco.py, shared
# by the Faster R-CNN and RetinaNet pairs (../pefd_*_r18w32-r18w8_fpn_toy-det.py): the four
# backbone levels C2-C5 (student 8/16/32/64 channels, teacher 32/64/128/256), each through an
# ensemble of q = 3 1x1-conv projectors (mean of ReLU(P_i s)) and a per-location cosine distance
# to the raw teacher map; the paper's weight 25 split over the 4 levels (6.25 each).

#: The distiller of this method, without its student and teacher: a config takes it with
#: ``model = _base_.pop('distiller')``, which merges it into its pair base's model.
distiller = dict(
    type='FeatureDistiller',
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
