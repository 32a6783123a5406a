# Feature distillation baseline on the toy detection set: MSE between the teacher's and the
# student's FPN levels (same width, 32 channels, so no projector is needed).
# Train the teacher first:  python tools/train.py configs/toy/faster-rcnn_r18-w32_fpn_toy-det.py
_base_ = ['./faster-rcnn_r18-w8_fpn_toy-det.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='FeatureDistiller',
    student={{_base_.model}},
    teacher=dict(
        config='{{fileDirname}}/faster-rcnn_r18-w32_fpn_toy-det.py',
        checkpoint='work_dirs/faster-rcnn_r18-w32_fpn_toy-det/iter_900.pth'),
    distill_points={
        f'fpn{i}': dict(
            student=f'neck[{i}]',
            teacher=f'neck[{i}]',
            loss=dict(type='FeatureMSELoss', loss_weight=1.0))
        for i in range(4)
    })
custom_hooks = [dict(type='StudentCheckpointHook')]
