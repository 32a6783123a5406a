# Short iteration-based schedule for the toy data: 300 iterations on CPU, 1 to 5 minutes per run
# on 2 cores depending on the model and on what else runs on the machine.
# A config that changes ``max_iters`` must also change ``train_cfg.val_interval`` and the
# ``end`` of the cosine scheduler: old-style configs cannot derive one field from another.
train_cfg = dict(type='IterBasedTrainLoop', max_iters=300, val_interval=300)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4),
    # Models are trained from scratch: clipping keeps the first iterations stable.
    clip_grad=dict(max_norm=10.0, norm_type=2))

param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=30, end=300, eta_min_ratio=0.01),
]
