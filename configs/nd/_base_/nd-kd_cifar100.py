# KD++ = KD + ND loss (Wang et al., arXiv 2305.17007) on CIFAR-100: the authors' released recipe
# (their CIFAR-100 training script), shared by the six nd-kd_<teacher>-<student>_cifar100.py configs
# (and through them by the DKD++ configs nd-dkd_*_cifar100.py):
#   loss       CE + w(epoch) * alpha * KD(tau 4) + beta * ND, w = min(1, epoch / 20) (epochs from
#              0; the ND term is not warmed up); alpha and beta per pair
#   ND         the pooled student feature (through the ND projector BN1d -> Dropout(0.5) ->
#              Linear(student, teacher width) where the widths differ; feeds only the ND loss;
#              Linear bias starts at 0, as the authors' CIFAR code) against the teacher's class
#              means
#   optimizer  SGD, momentum 0.9, Nesterov, lr 0.1 (ShuffleNetV1: 0.02), weight decay 5e-4
#   schedule   240 epochs, lr x0.1 at epochs 150/180/210
#   batch      Total batch 128 = 2 GPUs x 64:  bash tools/dist_train.sh CONFIG 2
#              1 GPU: --cfg-options train_dataloader.batch_size=128 (the same total batch).
#              Any other total batch: add --auto-scale-lr (lr x total / 128, from
#              auto_scale_lr.base_batch_size = 128).
# Class means: ClassMeansHook before training (when the file is missing) or
# tools/compute_class_means.py. The teachers have no public checkpoint: each config names the
# one `python tools/train.py configs/cifar100/<teacher>_cifar100.py` writes (or pass
# model.teacher.checkpoint=PATH).
# A config lists its student's config (configs/cifar100/<student>_cifar100.py, which also registers
# mmkd_ext), the teachers (../../_base_/teachers/cifar100.py) and this file. MMEngine lets only one
# of them define `model`, the optimizer and auto_scale_lr, so a config builds its distiller from
# the values below and states the optimizer and auto_scale_lr itself.

# Values the configs of this setting read (and never change): the KD loss of the `kd` point (on
# head.fc), and the ND projector and loss of the `nd` point (on neck[-1], the pooled feature: (B,
# student width) and (B, teacher width)); a config adds the weights, the widths and the class-means
# file, and leaves the projector out where the widths match. The projector's Linear bias starts at
# 0, as in the authors' CIFAR code; the loss is loaded lazily because the hook (re)writes the file
# after the model is built.
kd_loss = dict(type='KDLoss', tau=4.0)
nd_projector = dict(type='NDProjector', linear_init='zero_bias')
nd_loss = dict(type='NDLoss', num_classes=100, lazy_load=True)
custom_hooks = [
    dict(type='ClassMeansHook'),
    dict(type='DistillLossWarmupHook', points='kd', warmup_epochs=20),
    dict(type='StudentCheckpointHook'),
]
