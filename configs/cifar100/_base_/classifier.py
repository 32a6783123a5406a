# A CIFAR-100 classifier: backbone (set by each model config) -> global average pooling -> linear.
# The data preprocessor lives inside the model (not at the top level, as stock mmpretrain configs
# have it), so that a distiller wrapping this model config, or a teacher built from it, finds it.
_base_ = [
    './cifar100_bs64.py', './schedule_240e.py', 'mmpretrain::_base_/default_runtime.py'
]
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)  # the CIFAR backbones
model = dict(
    type='ImageClassifier',
    data_preprocessor=dict(
        type='ClsDataPreprocessor',
        num_classes=100,
        mean=[129.304, 124.070, 112.434],
        std=[68.170, 65.392, 70.418],
        to_rgb=False),  # mmpretrain loads CIFAR as RGB already
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
# Every 10 epochs (the last one included), keeping 3; `epoch_240.pth` is what the distillation
# configs of configs/nd and configs/pefd load as the teacher.
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3))
