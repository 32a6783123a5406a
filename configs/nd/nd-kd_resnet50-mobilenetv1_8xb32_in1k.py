# KD++ = KD + ND loss (Wang et al., arXiv 2305.17007), ImageNet-1k, ResNet-50 (teacher, 76.55 top-1
# in mmpretrain's zoo) -> MobileNetV1. Paper: 72.77 top-1.
# Loss = CE + w(epoch) * 4 * KD(tau 1) + 1.0 * ND, w = min(1, epoch / 5) (epochs from 0).
# ND: the student's pooled 1024-d feature through the ND projector BN1d -> Dropout(0.5) ->
# Linear(1024, 2048) (it feeds only the ND loss; the classifier keeps the raw feature) against the
# teacher's 2048-d class means.
# Recipe: configs/_base_/mobilenet-v1_8xb32_in1k.py (100 epochs, batch 8x32, lr 0.1, wd 1e-4).
# Class means: ClassMeansHook (when the file is missing) or tools/compute_class_means.py.
_base_ = ['../_base_/mobilenet-v1_8xb32_in1k.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='FeatureDistiller',
    # The data preprocessor goes inside the model dicts (see nd-kd_resnet34-resnet18_8xb32_in1k.py).
    student=dict(
        type='ImageClassifier',
        data_preprocessor={{_base_.data_preprocessor}},
        backbone={{_base_.model.backbone}},
        neck={{_base_.model.neck}},
        head={{_base_.model.head}}),
    teacher=dict(
        config='mmpretrain::resnet/resnet50_8xb32_in1k.py',
        checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/'
        'resnet50_8xb32_in1k_20210831-ea4938fc.pth',
        cfg_options={'model.data_preprocessor': {{_base_.data_preprocessor}}}),
    distill_points=dict(
        kd=dict(
            student='head.fc',
            teacher='head.fc',
            loss=dict(type='KDLoss', tau=1.0, loss_weight=4.0)),
        nd=dict(
            student='neck[-1]',  # (B, 1024)
            teacher='neck[-1]',  # (B, 2048)
            connector=dict(type='NDProjector', student_channels=1024, teacher_channels=2048),
            loss=dict(
                type='NDLoss',
                class_means='work_dirs/class_means/resnet50_8xb32_in1k_neck.pth',
                num_classes=1000,
                embed_dim=2048,
                lazy_load=True,
                loss_weight=1.0))))
custom_hooks = [
    dict(type='ClassMeansHook'),
    dict(type='DistillLossWarmupHook', points='kd', warmup_epochs=5),
    dict(type='StudentCheckpointHook'),
]
