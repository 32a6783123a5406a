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
_base_ = ['mmdet::faster_rcnn/faster-rcnn_r50_fpn_2x_coco.py', '../_base_/distill_runtime.py']

model = dict(
    type='FeatureDistiller',
    student=_base_.pop('model'),
    teacher=dict(
        config='mmdet::faster_rcnn/faster-rcnn_r101_fpn_2x_coco.py',
        checkpoint='https://download.openmmlab.com/mmdetection/v2.0/faster_rcnn/'
        'faster_rcnn_r101_fpn_2x_coco/'
        'faster_rcnn_r101_fpn_2x_coco_bbox_mAP-0.398_20200504_210455-1d2dac9c.pth'),
    distill_points={
        f'c{level + 2}': dict(
            student=f'backbone[{level}]',
            teacher=f'backbone[{level}]',
            connector=dict(
                type='ProjectorEnsemble', student_channels=channels,
                teacher_channels=channels, num_projectors=3),
            loss=dict(type='CosineDistanceLoss', loss_weight=6.25))
        for level, channels in enumerate([256, 512, 1024, 2048])
    })
