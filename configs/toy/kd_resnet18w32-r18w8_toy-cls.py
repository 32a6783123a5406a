# Logit distillation (KD, Hinton et al. 2015) on the toy classification split: KL with temperature
# 4 between the heads' logits, weight 1 (the CIFAR-100 convention of the KD/CRD/KD++ papers).
# Train the teacher first:  python tools/train.py configs/toy/resnet18-w32_toy-cls.py
_base_ = ['../_base_/distill_runtime.py', './_base_/teachers.py', './resnet18-w8_toy-cls.py']

model = dict(
    _delete_=True, type='FeatureDistiller', student=_base_.model,
    teacher=_base_.teacher_resnet18w32_toy,
    distill_points=dict(
        logits=dict(
            student='head.fc',
            teacher='head.fc',
            loss=dict(type='KDLoss', tau=4.0, loss_weight=1.0))))
