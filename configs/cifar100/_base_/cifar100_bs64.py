# CIFAR-100 for the CRD-style distillation benchmark: pad-4 random crop + horizontal flip, batch 64
# on one GPU, top-1 on the 10k test images. Data: mmpretrain's CIFAR100 (python version) under
# data/cifar100/ (cifar-100-python/ or the .tar.gz, which mmpretrain extracts).
dataset_type = 'CIFAR100'
data_root = 'data/cifar100/'

train_pipeline = [
    dict(type='RandomCrop', crop_size=32, padding=4),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [dict(type='PackInputs')]

train_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root, split='train', pipeline=train_pipeline))
# As the training loader, on the test split, in order, 128 images a batch.
val_dataloader = dict(
    train_dataloader,
    batch_size=128,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(train_dataloader['dataset'], split='test', pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_evaluator = val_evaluator
