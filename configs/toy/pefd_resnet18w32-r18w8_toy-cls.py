# PEFD on the toy classification split: the pooled 64-d student feature goes through an ensemble of
# q = 3 projectors Linear(64, 256) + ReLU (outputs averaged) and a cosine distance (weight 25, as in
# the paper) to the raw pooled 256-d teacher feature. No logit KD.
# Train the teacher first:  python tools/train.py configs/toy/resnet18-w32_toy-cls.py
_base_ = ['../_base_/distill_runtime.py', './_base_/teachers.py', './resnet18-w8_toy-cls.py']

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_resnet18w32_toy,
    distill_points=dict(
        pefd=dict(
            student='neck[-1]',
            teacher='neck[-1]',
            connector=dict(
                type='ProjectorEnsemble', student_channels=64, teacher_channels=256,
                num_projectors=3),
            loss=dict(type='CosineDistanceLoss', loss_weight=25.0))))
