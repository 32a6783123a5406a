# DiffKD on the toy detection set, the paper's detection recipe (configs/diffkd/_base_/
# diffkd_fpn_coco.py) at toy scale, shared by the Faster R-CNN and RetinaNet pairs
# (../diffkd_*_r18w32-r18w8_fpn_toy-det.py): one DiffKD denoiser per FPN level (4 levels, 32
# channels in teacher and student, no autoencoder) with MSE, weight 5. Each config adds its
# detector's box-regression KD points (MSE, weight 1).

#: The distiller of this method, without its student and teacher: a config takes it with
#: ``model = _base_.pop('distiller')``, which merges it into its pair base's model.
distiller = dict(
    type='FeatureDistiller',
    distill_points={
        f'fpn{i}': dict(
            student=f'neck[{i}]',
            teacher=f'neck[{i}]',
            connector=dict(
                type='DiffKDDenoiser', student_channels=32, teacher_channels=32, kind='map'),
            loss=dict(type='FeatureMSELoss'),
            weight=5.0)
        for i in range(4)
    })
