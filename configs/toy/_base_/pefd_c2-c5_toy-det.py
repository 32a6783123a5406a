# PEFD on the toy detection set, as configs/pefd/pefd_faster-rcnn_r101-r50_fpn_2x_coco.py, shared
# by the Faster R-CNN and RetinaNet pairs (../pefd_*_r18w32-r18w8_fpn_toy-det.py): the four
# backbone levels C2-C5 (student 8/16/32/64 channels, teacher 32/64/128/256), each through an
# ensemble of q = 3 1x1-conv projectors (mean of ReLU(P_i s)) and a per-location cosine distance
# to the raw teacher map; the paper's weight 25 split over the 4 levels (6.25 each).

_base_ = ['../../_base_/distill_runtime.py']

pefd_c2_c5_points = dict(
    c2=dict(
        student='backbone[0]',
        teacher='backbone[0]',
        connector=dict(
            type='ProjectorEnsemble', student_channels=8, teacher_channels=32, num_projectors=3),
        loss=dict(type='CosineDistanceLoss', loss_weight=6.25)),
    c3=dict(
        student='backbone[1]',
        teacher='backbone[1]',
        connector=dict(
            type='ProjectorEnsemble', student_channels=16, teacher_channels=64, num_projectors=3),
        loss=dict(type='CosineDistanceLoss', loss_weight=6.25)),
    c4=dict(
        student='backbone[2]',
        teacher='backbone[2]',
        connector=dict(
            type='ProjectorEnsemble', student_channels=32, teacher_channels=128, num_projectors=3),
        loss=dict(type='CosineDistanceLoss', loss_weight=6.25)),
    c5=dict(
        student='backbone[3]',
        teacher='backbone[3]',
        connector=dict(
            type='ProjectorEnsemble', student_channels=64, teacher_channels=256, num_projectors=3),
        loss=dict(type='CosineDistanceLoss', loss_weight=6.25)))
