# KD++ = KD + ND loss (Wang et al., "Improving Knowledge Distillation via Regularizing Feature Norm
# and Direction", arXiv 2305.17007), ImageNet-1k, ResNet-34 (teacher, 73.62 top-1 in mmpretrain's
# zoo) -> ResNet-18. Paper: 71.98 top-1.
# Loss = CE + w(epoch) * 2.5 * KD(tau 1) + 1.0 * ND, with w = min(1, epoch / 5) (epochs from 0).
# ND: the student's pooled penultimate feature (512-d, no projector: the widths match) against the
# teacher's class means of its pooled feature, norm bounded by the teacher's per-sample norm.
# Recipe: the student's stock config (100 epochs, batch 8x32, SGD lr 0.1 x0.1 at 30/60/90, wd 1e-4).
# Class means: computed by ClassMeansHook before training when the file is missing (one pass of the
# teacher over the training split, with its augmentation), or beforehand with
#   python tools/compute_class_means.py configs/nd/nd-kd_resnet34-resnet18_8xb32_in1k.py
# The file records the teacher; a run with another teacher refuses it.
_base_ = ['mmpretrain::resnet/resnet18_8xb32_in1k.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

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
    teacher=dict(
        config='mmpretrain::resnet/resnet34_8xb32_in1k.py',
        checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/'
        'resnet34_8xb32_in1k_20210831-f257d4e6.pth',
        cfg_options={'model.data_preprocessor': {{_base_.data_preprocessor}}}),
    distill_points=dict(
        kd=dict(
            student='head.fc',
            teacher='head.fc',
            loss=dict(type='KDLoss', tau=1.0, loss_weight=2.5)),
        nd=dict(
            student='neck[-1]',  # (B, 512)
            teacher='neck[-1]',
            loss=dict(
                type='NDLoss',
                class_means='work_dirs/class_means/resnet34_8xb32_in1k_neck.pth',
                num_classes=1000,
                embed_dim=512,
                lazy_load=True,  # the hook (re)writes the file after the model is built
                loss_weight=1.0))))
custom_hooks = [
    dict(type='ClassMeansHook'),
    dict(type='DistillLossWarmupHook', points='kd', warmup_epochs=5),
    dict(type='StudentCheckpointHook'),
]
