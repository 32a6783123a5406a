# The toy classification pair every configs/toy/*_resnet18w32-r18w8_toy-cls.py distils: the student
# resnet18-w8_toy-cls.py, the teacher resnet18-w32_toy-cls.py (train it first:
#   python tools/train.py configs/toy/resnet18-w32_toy-cls.py
# which writes the checkpoint named here) and the distillation runtime. Each config adds its
# distillation points.
_base_ = ['../resnet18-w8_toy-cls.py', '../../_base_/distill_runtime.py']

model = dict(
    _delete_=True,
    type='FeatureDistiller',
    student={{_base_.model}},
    teacher=dict(
        # In configs/toy, the folder above this one.
        config='{{fileDirname}}'.rsplit('/', 1)[0] + '/resnet18-w32_toy-cls.py',
        checkpoint='work_dirs/resnet18-w32_toy-cls/iter_900.pth'))
