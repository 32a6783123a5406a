# DiffKD's COCO detection setting (Huang et al., "Knowledge Diffusion for Distillation", NeurIPS
# 2023), shared by the configs/diffkd/diffkd_*_coco.py detectors: one DiffKD denoiser per FPN
# level (fpn0..fpn4: the five levels of the stock mmdet FPN, 256 channels in teacher and student,
# no autoencoder) with MSE as the distance, point weight 5 (it multiplies the MSE and the diffusion
# loss alike). Each config adds its detector's box-regression KD points (MSE between the student's
# and the teacher's regression outputs per level, weight 1) and changes the FPN weight where the
# paper does (RepPoints: 15).
# Everything else is the stock student config (data, 2x schedule, SGD, ImageNet-pretrained
# backbone, 8 GPUs x 2 images).
_base_ = ['../../_base_/distill_runtime.py']

#: The distiller of this setting, without its student and teacher: a config takes it with
#: ``model = _base_.pop('distiller')`` and merges its pair into it.
distiller = dict(
    type='FeatureDistiller',
    distill_points={
        f'fpn{i}': dict(
            student=f'neck[{i}]',
            teacher=f'neck[{i}]',
            connector=dict(
                type='DiffKDDenoiser', student_channels=256, teacher_channels=256, kind='map'),
            loss=dict(type='FeatureMSELoss'),
            weight=5.0)
        for i in range(5)
    })
