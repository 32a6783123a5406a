# Feature distillation baseline on the toy detection set, shared by the Faster R-CNN and RetinaNet
# pairs (../mse_*_r18w32-r18w8_fpn_toy-det.py): MSE between the teacher's and the student's FPN
# levels (same width, 32 channels, so no projector is needed), weight 1.

#: The distiller of this method, without its student and teacher: a config takes it with
#: ``model = _base_.pop('distiller')``, which merges it into its pair base's model.
distiller = dict(
    type='FeatureDistiller',
    distill_points={
        f'fpn{i}': dict(
            student=f'neck[{i}]',
            teacher=f'neck[{i}]',
            loss=dict(type='FeatureMSELoss', loss_weight=1.0))
        for i in range(4)
    })
