# KD++ = KD + ND loss (Wang et al., arXiv 2305.17007) on CIFAR-100: the authors' released recipe
# (their CIFAR-100 training script), shared by the six nd-kd_<teacher>-<student>_cifar100.py configs
# (and through them by the DKD++ configs nd-dkd_*_cifar100.py):
#   loss       CE + w(epoch) * alpha * KD(tau 4) + beta * ND, w = min(1, epoch / 20) (epochs from
#              0); alpha and beta per pair
#   ND         the pooled student feature (through the ND projector BN1d -> Dropout(0.5) ->
#              Linear(student, teacher width) where the widths differ; Linear bias starts at 0, as
#              the authors' CIFAR code) against the teacher's class means
#   optimizer  SGD, momentum 0.9, Nesterov, lr 0.1 (ShuffleNetV1: 0.02), weight decay 5e-4
#   schedule   240 epochs, lr x0.1 at epochs 150/180/210
#   batch      Total batch 128 = 2 GPUs x 64 (auto_scale_lr.base_batch_size = 128)
# Class means: ClassMeansHook before training (when the file is missing) or
# tools/compute_class_means.py. The teachers have no public checkpoint: each config names the
# one `python tools/train.py configs/cifar100/<teacher>_cifar100.py` writes.
# A config lists its student's config first (configs/cifar100/<student>_cifar100.py, which also
# registers mmkd_ext) and this file second; MMEngine lets only one of them define `model`, the
# optimizer and auto_scale_lr, so those stay in each config.
custom_hooks = [
    dict(type='ClassMeansHook'),
    dict(type='DistillLossWarmupHook', points='kd', warmup_epochs=20),
    dict(type='StudentCheckpointHook'),
]
