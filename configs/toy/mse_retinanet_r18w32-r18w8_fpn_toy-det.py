# Feature distillation baseline for RetinaNet on the toy detection set: MSE on every FPN level.
# Train the teacher first:  python tools/train.py configs/toy/retinanet_r18-w32_fpn_toy-det.py
_base_ = ['./retinanet_r18-w8_fpn_toy-det.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='FeatureDistiller',
    student={{_base_.model}},
    teacher=dict(
        config='{{fileDirname}}/retinanet_r18-w32_fpn_toy-det.py',
        checkpoint='work_dirs/retinanet_r18-w32_fpn_toy-det/iter_900.pth'),
    distill_points={
        f'fpn{i}': dict(
            student=f'neck[{i}]',
            teacher=f'neck[{i}]',
            loss=dict(type='FeatureMSELoss', loss_weight=1.0))
        for i in range(4)
    })
custom_hooks = [dict(type='StudentCheckpointHook')]
