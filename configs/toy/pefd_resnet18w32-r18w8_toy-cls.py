# PEFD on the toy classification split: the pooled 64-d student feature goes through an ensemble of
# q = 3 projectors Linear(64, 256) + ReLU (outputs averaged) and a cosine distance (weight 25, as in
# the paper) to the raw pooled 256-d teacher feature. No logit KD.
# Train the teacher first:  python tools/train.py configs/toy/resnet18-w32_toy-cls.py
_base_ = ['./resnet18-w8_toy-cls.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='FeatureDistiller',
    student={{_base_.model}},
    teacher=dict(
        config='{{fileDirname}}/resnet18-w32_toy-cls.py',
        checkpoint='work_dirs/resnet18-w32_toy-cls/iter_900.pth'),
    distill_points=dict(
        pefd=dict(
            student='neck[-1]',
            teacher='neck[-1]',
            connector=dict(
                type='ProjectorEnsemble', student_channels=64, teacher_channels=256,
                num_projectors=3),
            loss=dict(type='CosineDistanceLoss', loss_weight=25.0))))
custom_hooks = [dict(type='StudentCheckpointHook')]
