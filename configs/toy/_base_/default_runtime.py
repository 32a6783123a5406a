# Runtime settings shared by every toy config (scope-free; see default_runtime_{det,seg,cls}.py).
# No custom_hooks: the toy distillation configs take theirs from configs/_base_/distill_runtime.py.
# Nothing here reaches the network: no pretrained weights, no remote visualisation backends.
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # Small interval so that a demo run leaves checkpoints to distil from / resume; keep only
    # the latest to save disk.
    checkpoint=dict(type='CheckpointHook', interval=100, by_epoch=False, max_keep_ckpts=1,
                    save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'))

env_cfg = dict(
    cudnn_benchmark=False,
    # opencv_num_threads=0: the data are tiny and the CPU is shared with the model.
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # gloo works without GPUs; only used when launched distributed.
    dist_cfg=dict(backend='gloo'))

# Iteration-based logging (the schedules are IterBasedTrainLoop).
log_processor = dict(type='LogProcessor', window_size=20, by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0)
