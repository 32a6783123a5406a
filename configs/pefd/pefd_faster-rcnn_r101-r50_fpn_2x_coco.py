# PEFD on Faster R-CNN, COCO -- OUR EXTENSION: the PEFD papers evaluate image classification only;
# no paper number exists for this setting and the loss weight is untuned.
# Teacher Faster R-CNN R101-FPN 2x (39.8 box AP, mmdet zoo) -> student Faster R-CNN R50-FPN 2x
# (38.4 box AP), the student's stock config and schedule unchanged.
# What is distilled: the four backbone levels C2-C5 that feed the FPN (256/512/1024/2048 channels at
# strides 4-32, equal for R50 and R101). Each level gets its own ensemble of q = 3 1x1-conv
# projectors (mean of ReLU(P_i s)) and a per-location cosine distance to the raw teacher map.
# Why C2-C5 and not the FPN outputs P2-P6: PEFD's projectors end in a ReLU because the paper's
# teacher feature is post-ReLU; C2-C5 are post-ReLU too, while the FPN outputs have no activation
# and are signed, so a ReLU'ed projection could never reach the direction of their negative part.
# Weight: the paper's 25 split evenly over the 4 levels (6.25 each).
_base_ = [
    '../_base_/distill_runtime.py',
    '../_base_/teachers/coco.py',
    'mmdet::faster_rcnn/faster-rcnn_r50_fpn_2x_coco.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_faster_rcnn_r101_coco,
    distill_points=dict(
        c2=dict(
            student='backbone[0]',
            teacher='backbone[0]',
            connector=dict(type='ProjectorEnsemble', student_channels=256, teacher_channels=256,
                           num_projectors=3),
            loss=dict(type='CosineDistanceLoss', loss_weight=6.25)),
        c3=dict(
            student='backbone[1]',
            teacher='backbone[1]',
            connector=dict(type='ProjectorEnsemble', student_channels=512, teacher_channels=512,
                           num_projectors=3),
            loss=dict(type='CosineDistanceLoss', loss_weight=6.25)),
        c4=dict(
            student='backbone[2]',
            teacher='backbone[2]',
            connector=dict(type='ProjectorEnsemble', student_channels=1024, teacher_channels=1024,
                           num_projectors=3),
            loss=dict(type='CosineDistanceLoss', loss_weight=6.25)),
        c5=dict(
            student='backbone[3]',
            teacher='backbone[3]',
            connector=dict(type='ProjectorEnsemble', student_channels=2048, teacher_channels=2048,
                           num_projectors=3),
            loss=dict(type='CosineDistanceLoss', loss_weight=6.25))))
