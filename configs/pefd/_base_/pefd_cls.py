# PEFD (Chen et al., "Improved Feature Distillation via Projector Ensemble", NeurIPS 2022) in the
# papers' setting, image classification, shared by pefd_*_cifar100.py and pefd_*_in1k.py:
# loss = 1 * CE + 25 * mean(1 - cos(mean_i ReLU(P_i s), t)) on the globally pooled penultimate
# features, q = 3 projectors Linear(student, teacher width) + ReLU (trained by the student's
# optimizer, dropped by the student export) against the raw teacher feature. No logit KD (weight 0
# in the paper's runs). The rest of the recipe is the student's config's.
# A config lists its student's config first, then ../_base_/distill_runtime.py (or
# ../_base_/distill_hooks.py where the student's config registers mmkd_ext itself), the teachers
# of its data set and this file.

# Values the configs of this setting read (and never change): the `pefd` point is on neck[-1] (the
# pooled feature: (B, student width), post-ReLU, and (B, teacher width)); a config adds the widths
# to the projector ensemble.
pefd_projectors = dict(type='ProjectorEnsemble', num_projectors=3)
pefd_loss = dict(type='CosineDistanceLoss', loss_weight=25.0)
