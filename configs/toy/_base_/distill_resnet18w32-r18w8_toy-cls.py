# The toy classification pair that every configs/toy/*_resnet18w32-r18w8_toy-cls.py distils:
#   student  resnet18-w8_toy-cls.py
#   teacher  resnet18-w32_toy-cls.py, trained first with
#            python tools/train.py configs/toy/resnet18-w32_toy-cls.py
#            which writes the checkpoint named here
# plus the distillation runtime (mmkd_ext, StudentCheckpointHook). Each config adds its
# distillation points (and hooks, where it needs more); where several pairs share them they sit
# in a method base beside this file, which the config takes with
# ``model = _base_.pop('distiller')``.
_base_ = ['../resnet18-w8_toy-cls.py', '../../_base_/distill_runtime.py']

model = dict(
    type='FeatureDistiller',
    student=_base_.pop('model'),
    teacher=dict(
        # In configs/toy, the folder above this one.
        config='{{fileDirname}}'.rsplit('/', 1)[0] + '/resnet18-w32_toy-cls.py',
        checkpoint='work_dirs/resnet18-w32_toy-cls/iter_900.pth'))
