# The ND authors' ImageNet-1k KD++ setting for a ResNet-18 student (Wang et al., arXiv 2305.17007),
# shared by the configs of its teachers (nd-kd_resnet{34,50,101,152}-resnet18_8xb64_in1k.py), which
# add the teacher, the KD / ND weights and, where the widths differ, the ND projector.
#   loss       CE + w(epoch) * KD(tau 1) + ND, w = min(1, epoch / 5) (epochs from 0)
#   optimizer  SGD, momentum 0.9, Nesterov, lr 0.2, weight decay 1e-4
#   schedule   100 epochs, lr x0.1 at epochs 30/60/90 (the student's stock config)
#   batch      Total batch 512 = 8 GPUs x 64 (auto_scale_lr.base_batch_size = 512)
_base_ = ['mmpretrain::resnet/resnet18_8xb32_in1k.py', '../../_base_/distill_runtime.py']

model = dict(
    _delete_=True,
    type='FeatureDistiller',
    # Stock mmpretrain configs keep `data_preprocessor` at the top level (the Runner moves it into
    # the model); the student and teacher are built from model dicts, so it is put inside both.
    student=dict(
        type='ImageClassifier',
        data_preprocessor={{_base_.data_preprocessor}},
        backbone={{_base_.model.backbone}},
        neck={{_base_.model.neck}},
        head={{_base_.model.head}}),
    teacher=dict(cfg_options={'model.data_preprocessor': {{_base_.data_preprocessor}}}),
    distill_points=dict(
        kd=dict(student='head.fc', teacher='head.fc', loss=dict(type='KDLoss', tau=1.0)),
        nd=dict(
            student='neck[-1]',  # (B, 512)
            teacher='neck[-1]',
            loss=dict(
                type='NDLoss',
                num_classes=1000,
                lazy_load=True))))  # the hook (re)writes the class-means file after the build
train_dataloader = dict(batch_size=64)
optim_wrapper = dict(optimizer=dict(lr=0.2, nesterov=True))
auto_scale_lr = dict(base_batch_size=512)
custom_hooks = [
    dict(type='ClassMeansHook'),
    dict(type='DistillLossWarmupHook', points='kd', warmup_epochs=5),
    dict(type='StudentCheckpointHook'),
]
