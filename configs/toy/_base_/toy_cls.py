# Toy shapes, image classification (mmpretrain CustomDataset, one shape per image, 32x32, the
# class-folder layout cls/{train,val}/<class>/*.png). Generate the data first:
#   python tools/make_toy_data.py            (writes data/toy/)
dataset_type = 'CustomDataset'
data_root = 'data/toy/'
# CustomDataset numbers the class folders in sorted order; these names are sorted, so the
# label ids match (it checks only the number of classes, not the order).
metainfo = dict(classes=('circle', 'cross', 'square', 'triangle'))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='PackInputs')
]

train_dataloader = dict(
    # Large batches of tiny images: from scratch, a ResNet needs ~30k samples to learn the
    # shapes, and at 32 px a sample costs little compute (mostly loading overhead).
    batch_size=128,
    num_workers=0,  # in-process: the images are tiny and the CPU cores are few
    persistent_workers=False,
    # Full batches only: BatchNorm1d layers of some distillers (the ND projector) need >= 2
    # samples, and every student of the benchmark must see the same batches.
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=metainfo,
        data_prefix='cls/train',
        with_label=True,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=metainfo,
        data_prefix='cls/val',
        with_label=True,
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(type='Accuracy', topk=(1, ))
test_evaluator = val_evaluator
