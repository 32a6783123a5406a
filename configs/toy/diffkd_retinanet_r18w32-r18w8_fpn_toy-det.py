# DiffKD for RetinaNet on the toy detection set, the paper's detection recipe at toy scale: one
# DiffKD denoiser per FPN level (32 channels, no autoencoder, MSE, weight 5) plus box-regression KD
# on the head's regression outputs per level (MSE, weight 1).
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
        **{
            f'fpn{i}': dict(
                student=f'neck[{i}]',
                teacher=f'neck[{i}]',
                connector=dict(
                    type='DiffKDDenoiser', student_channels=32, teacher_channels=32, kind='map'),
                loss=dict(type='FeatureMSELoss'),
                weight=5.0)
            for i in range(4)
        },
        **{
            f'reg{i}': dict(
                student=f'bbox_head.retina_reg[{i}]',
                teacher=f'bbox_head.retina_reg[{i}]',
                loss=dict(type='FeatureMSELoss'),
                weight=1.0)
            for i in range(4)
        },
    })
custom_hooks = [dict(type='StudentCheckpointHook')]
