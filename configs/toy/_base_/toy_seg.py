# Toy shapes, semantic segmentation (mmseg BaseSegDataset). Generate the data first:
#   python tools/make_toy_data.py            (writes data/toy/)
dataset_type = 'BaseSegDataset'
data_root = 'data/toy/'
img_scale = (64, 64)
# 'background' is a real class (0), so every pixel is labelled and reduce_zero_label is False.
# Same order as mmkd_ext.datasets.TOY_SEG_CLASSES.
metainfo = dict(
    classes=('background', 'circle', 'cross', 'square', 'triangle'),
    palette=[[0, 0, 0], [220, 20, 60], [0, 130, 200], [60, 180, 75], [255, 200, 0]])

train_pipeline = [
    dict(type='LoadImageFromFile'),
    # reduce_zero_label comes from the dataset (False).
    dict(type='LoadAnnotations'),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    # After Resize: the metric compares with the mask at its original size.
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]

train_dataloader = dict(
    # 8 rather than 4: from scratch, the number of images seen in the 300 iterations matters.
    batch_size=8,
    num_workers=0,  # in-process: the images are tiny and the CPU cores are few
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=metainfo,
        data_prefix=dict(img_path='img_dir/train', seg_map_path='ann_dir/train'),
        img_suffix='.png',
        seg_map_suffix='.png',
        reduce_zero_label=False,
        pipeline=train_pipeline))
# As the training loader, on the validation split, in order, 4 images a batch.
val_dataloader = dict(
    train_dataloader,
    batch_size=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        train_dataloader['dataset'],
        data_prefix=dict(img_path='img_dir/val', seg_map_path='ann_dir/val'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
