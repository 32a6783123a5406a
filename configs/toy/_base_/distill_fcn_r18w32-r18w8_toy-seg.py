# The toy segmentation pair that every configs/toy/*_fcn_r18w32-r18w8_toy-seg.py distils:
#   student  fcn_r18-w8_toy-seg.py
#   teacher  fcn_r18-w32_toy-seg.py, trained first with
#            python tools/train.py configs/toy/fcn_r18-w32_toy-seg.py
#            which writes the checkpoint named here
# plus the distillation runtime (mmkd_ext, StudentCheckpointHook). Each config adds its
# distillation points (and hooks, where it needs more); where several pairs share them they sit
# in a method base beside this file, which the config takes with
# ``model = _base_.pop('distiller')``.
_base_ = ['../fcn_r18-w8_toy-seg.py', '../../_base_/distill_runtime.py']

model = dict(
    type='FeatureDistiller',
    student=_base_.pop('model'),
    teacher=dict(
        # In configs/toy, the folder above this one.
        config='{{fileDirname}}'.rsplit('/', 1)[0] + '/fcn_r18-w32_toy-seg.py',
        checkpoint='work_dirs/fcn_r18-w32_toy-seg/iter_900.pth'))
