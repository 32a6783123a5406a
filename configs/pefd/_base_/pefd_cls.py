# PEFD (Chen et al., "Improved Feature Distillation via Projector Ensemble", NeurIPS 2022) in the
# papers' setting, image classification, shared by pefd_*_cifar100.py and pefd_*_in1k.py:
# loss = 1 * CE + 25 * mean(1 - cos(mean_i ReLU(P_i s), t)) on the globally pooled penultimate
# features, q = 3 projectors Linear(student, teacher width) + ReLU (trained by the student's
# optimizer, dropped by the student export) against the raw teacher feature. No logit KD (weight 0
# in the paper's runs). The rest of the recipe is the student's config's.
# A config lists its student's config first, then ../_base_/distill_runtime.py (or
# ../_base_/distill_hooks.py where the student's config registers mmkd_ext itself), then this file.

#: The PEFD distiller of this setting, without its student and teacher: a config takes it with
#: ``model = _base_.pop('distiller')`` and merges its pair and the widths into it.
distiller = dict(
    type='FeatureDistiller',
    distill_points=dict(
        pefd=dict(
            student='neck[-1]',  # (B, student width), post-ReLU
            teacher='neck[-1]',  # (B, teacher width)
            connector=dict(type='ProjectorEnsemble', num_projectors=3),
            loss=dict(type='CosineDistanceLoss', loss_weight=25.0))))
