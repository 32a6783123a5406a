# KD++ = KD + ND loss (Wang et al., arXiv 2305.17007) on ImageNet-1k: the authors' released recipe
# (their ImageNet training script), shared by the five nd-kd_<teacher>-<student>_8xb64_in1k.py
# configs (the ResNet-18 ones through ./nd-kd_resnet18_8xb64_in1k.py) and through them by the DKD++
# configs nd-dkd_*_8xb64_in1k.py:
#   loss       CE + w(epoch) * alpha * KD(tau 1) + beta * ND, w = min(1, epoch / 5) (epochs from
#              0); alpha and beta per pair. DKD++ replaces KD by DKD (tau 1) and, as the authors'
#              DKD++ script, warms up the ND term too
#   ND         the pooled student feature (through the ND projector BN1d -> Dropout(0.5) ->
#              Linear(student, teacher width) where the widths differ; feeds only the ND loss;
#              weight and bias drawn from N(0, 0.01^2) as in the authors' ImageNet code) against
#              the teacher's class means
#   optimizer  SGD, momentum 0.9, Nesterov, lr 0.2, weight decay 1e-4
#   schedule   100 epochs, lr x0.1 at epochs 30/60/90 (the student's stock config)
#   batch      Total batch 512 = 8 GPUs x 64:  bash tools/dist_train.sh CONFIG 8
#              Another GPU count: add --auto-scale-lr (lr x total / 512, from
#              auto_scale_lr.base_batch_size = 512), or keep the total of 512 with
#              --cfg-options train_dataloader.batch_size=512/GPUs.
# Starting point (docs/nd.md, "Teachers and initialisation"): mmpretrain's zoo teachers (each
# config quotes its top-1 next to the authors' torchvision one).
# Class means: ClassMeansHook before training (when the file is missing) or beforehand
#   python tools/compute_class_means.py CONFIG
# A config lists its student's config, the teachers (../../_base_/teachers/in1k.py) and this file.
# MMEngine lets only one of them define `model`, the data loaders and the optimizer, so a config
# builds its distiller from the values below and states the batch size, lr and auto_scale_lr
# itself. Stock mmpretrain configs keep `data_preprocessor` at the top level: the Runner passes it
# to the distiller, which gives it to the student, and the teacher takes the one of its own config
# (the same ImageNet normalisation).

# Values the configs of this setting read (and never change): the KD loss of the `kd` point (on
# head.fc), and the ND projector and loss of the `nd` point (on neck[-1], the pooled feature: (B,
# student width) and (B, teacher width)); a config adds the weights, the widths and the class-means
# file, and leaves the projector out where the widths match. The loss is loaded lazily because the
# hook (re)writes the class-means file after the build.
kd_loss = dict(type='KDLoss', tau=1.0)
nd_projector = dict(type='NDProjector', linear_init='normal')
nd_loss = dict(type='NDLoss', num_classes=1000, lazy_load=True)
custom_hooks = [
    dict(type='ClassMeansHook'),
    dict(type='DistillLossWarmupHook', points='kd', warmup_epochs=5),
    dict(type='StudentCheckpointHook'),
]
#: The hooks of DKD++: the authors' ImageNet DKD++ script warms up the ND term too (their KD++
#: scripts do not).
nd_dkd_custom_hooks = [
    dict(type='ClassMeansHook'),
    dict(type='DistillLossWarmupHook', points=['kd', 'nd'], warmup_epochs=5),
    dict(type='StudentCheckpointHook'),
]
