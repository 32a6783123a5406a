# PEFD (Chen et al., "Improved Feature Distillation via Projector Ensemble", NeurIPS 2022),
# ImageNet-1k, ResNet-34 (teacher, 73.62 top-1 in mmpretrain's zoo) -> ResNet-18.
# Paper: 71.94 top-1 / 90.68 top-5 (recalled; see docs/pefd.md).
# Recipe: the student's stock config unchanged (100 epochs, batch 8x32, SGD lr 0.1 x0.1 at
# 30/60/90, wd 1e-4); loss = 1 * CE + 25 * cosine distance on the pooled penultimate features,
# q = 3 projectors Linear(512, 512) + ReLU (the shared setting: _base_/pefd_cls.py).
# Total batch 256 = 8 GPUs x 32:  bash tools/dist_train.sh CONFIG 8. Another GPU count: add
# --auto-scale-lr (lr x total / 256, from auto_scale_lr.base_batch_size = 256).
_base_ = [
    'mmpretrain::resnet/resnet18_8xb32_in1k.py', '../_base_/distill_runtime.py',
    './_base_/pefd_cls.py'
]

model = _base_.pop('distiller')
model.merge(dict(
    # Stock mmpretrain configs keep `data_preprocessor` at the top level (the Runner moves it into
    # the model); the student and teacher are built from model dicts, so it is put inside both
    # (the student: the stock model without the `_scope_` MMEngine adds to it).
    student=dict(
        {k: v for k, v in _base_.pop('model').items() if k != '_scope_'},
        data_preprocessor=_base_.data_preprocessor),
    teacher=dict(
        config='mmpretrain::resnet/resnet34_8xb32_in1k.py',
        checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/'
        'resnet34_8xb32_in1k_20210831-f257d4e6.pth',
        cfg_options={'model.data_preprocessor': _base_.data_preprocessor}),
    distill_points=dict(pefd=dict(connector=dict(student_channels=512, teacher_channels=512)))))
