# Logit distillation baseline on the toy segmentation set: per-pixel KL (tau 1) between the
# decode heads' logits, plus MSE between the last backbone stages through a 1x1 projector
# (student 64 -> teacher 256 channels).
# Train the teacher first:  python tools/train.py configs/toy/fcn_r18-w32_toy-seg.py
_base_ = ['./fcn_r18-w8_toy-seg.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='FeatureDistiller',
    student={{_base_.model}},
    teacher=dict(
        config='{{fileDirname}}/fcn_r18-w32_toy-seg.py',
        checkpoint='work_dirs/fcn_r18-w32_toy-seg/iter_300.pth'),
    distill_points=dict(
        logits=dict(
            student='decode_head.conv_seg',
            teacher='decode_head.conv_seg',
            loss=dict(type='KDLoss', tau=1.0, loss_weight=1.0)),
        layer4=dict(
            student='backbone.layer4',
            teacher='backbone.layer4',
            connector=dict(type='Projector', student_channels=64, teacher_channels=256),
            loss=dict(type='FeatureMSELoss', loss_weight=1.0))))
custom_hooks = [dict(type='StudentCheckpointHook')]
