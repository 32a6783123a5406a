# DiffKD on the toy segmentation set, the paper's Cityscapes recipe at toy scale: a DiffKD denoiser
# on the decode heads' logits (5 channels, no autoencoder) with DIST (beta = gamma = tau = 1) as
# the distance, weight 1. Teacher and point as kd_fcn_r18w32-r18w8_toy-seg.py.
_base_ = ['./kd_fcn_r18w32-r18w8_toy-seg.py']

model = dict(
    distill_points=dict(
        logits=dict(
            connector=dict(
                type='DiffKDDenoiser', student_channels=5, teacher_channels=5, kind='map'),
            loss=dict(_delete_=True, type='DISTLoss', beta=1.0, gamma=1.0, tau=1.0),
            weight=1.0)))
