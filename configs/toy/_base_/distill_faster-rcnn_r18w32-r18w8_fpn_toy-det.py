# The toy Faster R-CNN pair that every configs/toy/*_faster-rcnn_r18w32-r18w8_fpn_toy-det.py
# distils:
#   student  faster-rcnn_r18-w8_fpn_toy-det.py
#   teacher  faster-rcnn_r18-w32_fpn_toy-det.py, trained first with
#            python tools/train.py configs/toy/faster-rcnn_r18-w32_fpn_toy-det.py
#            which writes the checkpoint named here
# plus the distillation runtime (mmkd_ext, StudentCheckpointHook). Each config adds its
# distillation points (and hooks, where it needs more); where several pairs share them they sit
# in a method base beside this file, which the config takes with
# ``model = _base_.pop('distiller')``.
_base_ = ['../faster-rcnn_r18-w8_fpn_toy-det.py', '../../_base_/distill_runtime.py']

model = dict(
    type='FeatureDistiller',
    student=_base_.pop('model'),
    teacher=dict(
        # In configs/toy, the folder above this one.
        config='{{fileDirname}}'.rsplit('/', 1)[0] + '/faster-rcnn_r18-w32_fpn_toy-det.py',
        checkpoint='work_dirs/faster-rcnn_r18-w32_fpn_toy-det/iter_900.pth'))
