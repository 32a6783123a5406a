# KD++ for detection (Wang et al., arXiv 2305.17007) on COCO: ND loss + KL(T=1) on the RoIs the
# student's sampler draws, teacher Faster R-CNN R101-FPN 2x (39.8 box AP in mmdet's zoo), shared by
# the nd-kd_faster-rcnn_r101-<student>_fpn_2x_coco.py configs (students R50-FPN and R18-FPN).
# Schedule: mmdet's 2x (24 epochs, batch 16, lr 0.02, steps 16/22) from the student's stock config.
# The paper used Detectron2's 180k-iteration schedule (8 images per batch, lr 0.01, steps 120k/160k,
# multi-scale 640-800 training); we keep mmdet's stock recipe so the numbers compare with its zoo.
# Losses: CE/box losses + 1.0 * KD(tau 1) on the RoI class logits (81 = 80 classes + background)
#   + beta * ND on the RoI embeddings (the 1024-d output of the box head's shared FCs, in both
#   models: no projector), with the sampled RoIs' labels (background = 80) and 81 teacher class
#   means; beta per student.
# The teacher embeds exactly the student's sampled RoIs with its own RoI extractor and box head on
# its own FPN; it never runs its RPN or its losses (RoIDistiller).
# Class means: ClassMeansHook before training (the teacher's embeddings of its OWN sampled RoIs over
# the training split, averaged per sampled label), or tools/compute_class_means.py beforehand; one
# file for every student (same teacher, same layer).
_base_ = ['../../_base_/distill_runtime.py']

# Values the configs of this setting read (and never change): the RoIDistiller's ND loss (a config
# adds its weight) and KD loss. The ND loss is loaded lazily: the hook (re)writes the file after
# the model is built.
roi_nd_loss = dict(
    type='NDLoss',
    class_means='work_dirs/class_means/faster-rcnn_r101_fpn_2x_coco_roi.pth',
    lazy_load=True)
roi_kd_loss = dict(type='KDLoss', tau=1.0, loss_weight=1.0)
custom_hooks = [dict(type='ClassMeansHook'), dict(type='StudentCheckpointHook')]
