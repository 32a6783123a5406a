# DiffKD (Huang et al., NeurIPS 2023) on ImageNet-1k, recipe "B1" (./_base_/diffkd_in1k.py).
# Teacher: ResNet-34 (mmpretrain zoo: 73.62 top-1; the paper's teacher: 73.31).
# Student: ResNet-18 from scratch (paper baseline 69.76) -> paper: 72.22 top-1 / 90.64 top-5.
# Feature point: the backbone's final 512-channel 7x7 map in both networks. Schedule: the stock
# mmpretrain resnet18_8xb32_in1k.
# Total batch 256 = 8 GPUs x 32:  bash tools/dist_train.sh CONFIG 8. Another GPU count: add
# --auto-scale-lr (lr x total / 256, from auto_scale_lr.base_batch_size = 256).
_base_ = [
    'mmpretrain::resnet/resnet18_8xb32_in1k.py',
    '../_base_/distill_runtime.py',
    './_base_/diffkd_in1k.py',
]

model = _base_.pop('distiller')
model.merge(dict(
    student=_base_.pop('model'),
    teacher=dict(
        config='mmpretrain::resnet/resnet34_8xb32_in1k.py',
        checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/'
        'resnet34_8xb32_in1k_20210831-f257d4e6.pth'),
    distill_points=dict(feature=dict(connector=dict(student_channels=512, teacher_channels=512)))))
# flat_decay_mult covers every 1-D parameter; norm/bias_decay_mult name the two kinds it consists
# of here (tests/configs/test_recipes.py checks that exactly the 1-D parameters lose their decay).
optim_wrapper = dict(
    optimizer=dict(nesterov=True),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0, flat_decay_mult=0.0))
