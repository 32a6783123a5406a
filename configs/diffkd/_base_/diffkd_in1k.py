# DiffKD's ImageNet-1k setting (Huang et al., NeurIPS 2023), shared by the
# configs/diffkd/diffkd_*_in1k.py configs (and, at toy scale, by
# configs/toy/diffkd_resnet18w32-r18w8_toy-cls.py).
# Points (lambda = 1 for every loss):
#   feature  the final map of the backbone before global pooling, DiffKD with the linear
#            autoencoder (latent 1024) and MSE (+ diffusion and reconstruction losses); each config
#            sets the student's and the teacher's widths.
#   logits   the head's logits (head.fc, 1000 classes), DiffKD for vectors without autoencoder and
#            KL divergence with temperature 1.
# Recipe: "B1" as the authors' released classification trainer runs it:
#   optimizer  SGD, momentum 0.9, Nesterov, lr 0.1, weight decay 1e-4 on the weights only: no
#              decay on biases and 1-D parameters (BatchNorm), of the student and the DiffKD
#              modules alike; the time-embedding tables (2-D) keep it (each config sets it: the
#              student config holds the optimizer)
#   schedule   100 epochs, lr x0.1 every 30 epochs (the student config's)
#   batch      256 = 8 GPUs x 32 (the student config's). The vector DiffKD normalises over the
#              batch: keep at least 2 images per GPU.
# No runtime base here: a config lists ../_base_/distill_runtime.py or, when its student already
# registers mmkd_ext, ../_base_/distill_hooks.py.

# Values the configs of this setting read (and never change).
diffkd_feature_denoiser = dict(type='DiffKDDenoiser', latent_channels=1024, kind='map')
#: A config adds the student's and the teacher's widths to the feature point's denoiser.
diffkd_in1k_points = dict(
    feature=dict(
        student='backbone[-1]',
        teacher='backbone[-1]',
        connector=diffkd_feature_denoiser,
        loss=dict(type='FeatureMSELoss'),
        weight=1.0),
    logits=dict(
        student='head.fc',
        teacher='head.fc',
        connector=dict(
            type='DiffKDDenoiser', student_channels=1000, teacher_channels=1000, kind='vector'),
        loss=dict(type='KDLoss', tau=1.0),
        weight=1.0))
#: Recipe B1's weight decay: none on the 1-D parameters. flat_decay_mult covers every 1-D parameter;
#: norm/bias_decay_mult name the two kinds it consists of here (tests/configs/test_recipes.py checks
#: that exactly the 1-D parameters lose their decay). A config sets it with
#: optim_wrapper = dict(optimizer=dict(nesterov=True), paramwise_cfg=_base_.diffkd_paramwise_cfg).
diffkd_paramwise_cfg = dict(norm_decay_mult=0.0, bias_decay_mult=0.0, flat_decay_mult=0.0)
