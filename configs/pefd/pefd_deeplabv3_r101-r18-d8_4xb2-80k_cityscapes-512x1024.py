# PEFD on semantic segmentation, Cityscapes -- OUR EXTENSION: the PEFD papers evaluate image
# classification only; no paper number exists for this setting and the loss weight is untuned.
# Teacher DeepLabV3 R101-D8 (80.2 mIoU, mmseg zoo) -> student DeepLabV3 R18-D8 (76.7 mIoU), the
# student's stock config and 80k schedule unchanged.
# What is distilled: the last backbone stage (post-ReLU, stride 8: 512 student / 2048 teacher
# channels), through an ensemble of q = 3 1x1-conv projectors 512 -> 2048 (mean of ReLU(P_i s)) and
# a per-pixel cosine distance to the raw teacher map, weight 25 as in the paper's classification
# runs.
_base_ = [
    '../_base_/distill_runtime.py',
    '../_base_/teachers/cityscapes.py',
    'mmseg::deeplabv3/deeplabv3_r18-d8_4xb2-80k_cityscapes-512x1024.py',
]

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_deeplabv3_r101_cityscapes,
    distill_points=dict(
        stage4=dict(
            student='backbone[3]',
            teacher='backbone[3]',
            connector=dict(
                type='ProjectorEnsemble', student_channels=512, teacher_channels=2048,
                num_projectors=3),
            loss=dict(type='CosineDistanceLoss', loss_weight=25.0))))
