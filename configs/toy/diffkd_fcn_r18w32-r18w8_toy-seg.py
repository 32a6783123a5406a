# DiffKD on the toy segmentation set, the paper's Cityscapes recipe at toy scale: a DiffKD denoiser
# on the decode heads' logits (5 channels, no autoencoder) with DIST (beta = gamma = tau = 1) as
# the distance, weight 1.
# Train the teacher first:  python tools/train.py configs/toy/fcn_r18-w32_toy-seg.py
_base_ = ['./fcn_r18-w8_toy-seg.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='FeatureDistiller',
    student={{_base_.model}},
    teacher=dict(
        config='{{fileDirname}}/fcn_r18-w32_toy-seg.py',
        checkpoint='work_dirs/fcn_r18-w32_toy-seg/iter_900.pth'),
    distill_points=dict(
        logits=dict(
            student='decode_head.conv_seg',
            teacher='decode_head.conv_seg',
            connector=dict(
                type='DiffKDDenoiser', student_channels=5, teacher_channels=5, kind='map'),
            loss=dict(type='DISTLoss', beta=1.0, gamma=1.0, tau=1.0),
            weight=1.0)))
custom_hooks = [dict(type='StudentCheckpointHook')]
