# Toy shapes, object detection (mmdet CocoDataset). Generate the data first:
#   python tools/make_toy_data.py            (writes data/toy/)
dataset_type = 'CocoDataset'
data_root = 'data/toy/'
backend_args = None
# The generator's default image size; every image is resized to it anyway.
img_scale = (64, 64)
# Same order as mmkd_ext.datasets.TOY_CLASSES (COCO category ids 1..4 follow it).
metainfo = dict(
    classes=('circle', 'cross', 'square', 'triangle'),
    palette=[(220, 20, 60), (0, 130, 200), (60, 180, 75), (255, 200, 0)])

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    # After Resize: the boxes stay in original-image coordinates, as the metric expects.
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]

train_dataloader = dict(
    # 8 rather than 4: from scratch, the number of images seen in the 300 iterations matters.
    batch_size=8,
    # In-process loading: 64 px PNGs decode in microseconds, and worker processes would only
    # compete with the model for the few CPU cores.
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/train.json',
        data_prefix=dict(img='img_dir/train/'),
        # min_size: the stock 32 px would drop nothing here, but 0 states that no image is dropped.
        filter_cfg=dict(filter_empty_gt=True, min_size=0),
        pipeline=train_pipeline,
        backend_args=backend_args))
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/val.json',
        data_prefix=dict(img='img_dir/val/'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='CocoMetric',
    # Baked in at parse time: mmkd_ext.apis.set_data_root() rewrites it with data_root.
    ann_file=data_root + 'annotations/val.json',
    metric='bbox',
    format_only=False,
    backend_args=backend_args)
test_evaluator = val_evaluator
