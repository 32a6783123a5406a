# Logit distillation baseline on the toy classification split: KL (tau 4) between the heads'
# logits, plus MSE between the last backbone stages through a 1x1 projector (64 -> 256 channels).
# Train the teacher first:  python tools/train.py configs/toy/resnet18-w32_toy-cls.py
_base_ = ['./resnet18-w8_toy-cls.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='FeatureDistiller',
    student={{_base_.model}},
    teacher=dict(
        config='{{fileDirname}}/resnet18-w32_toy-cls.py',
        checkpoint='work_dirs/resnet18-w32_toy-cls/iter_300.pth'),
    distill_points=dict(
        logits=dict(
            student='head.fc',
            teacher='head.fc',
            loss=dict(type='KDLoss', tau=4.0, loss_weight=1.0)),
        layer4=dict(
            student='backbone.layer4',
            teacher='backbone.layer4',
            connector=dict(type='Projector', student_channels=64, teacher_channels=256),
            loss=dict(type='FeatureMSELoss', loss_weight=1.0))))
custom_hooks = [dict(type='StudentCheckpointHook')]
