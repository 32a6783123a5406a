# The hook every distillation config runs: StudentCheckpointHook writes `<ckpt>_student.pth` (the
# student's weights as a plain checkpoint of its toolbox) beside every checkpoint. Most configs get
# it through ./distill_runtime.py, which also registers mmkd_ext.
custom_hooks = [dict(type='StudentCheckpointHook')]
