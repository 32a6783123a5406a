# Channel-wise distillation (CWD, Shu et al. 2021) on the toy segmentation set: per-channel
# spatial softmax of the decode heads' logits, KL with temperature 4, loss weight 3 (the CWD
# paper's semantic-segmentation setting).
# Train the teacher first:  python tools/train.py configs/toy/fcn_r18-w32_toy-seg.py
_base_ = ['./fcn_r18-w8_toy-seg.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='FeatureDistiller',
    student={{_base_.model}},
    teacher=dict(
        config='{{fileDirname}}/fcn_r18-w32_toy-seg.py',
        checkpoint='work_dirs/fcn_r18-w32_toy-seg/iter_900.pth'),
    distill_points=dict(
        logits=dict(
            student='decode_head.conv_seg',
            teacher='decode_head.conv_seg',
            loss=dict(type='CWDLoss', tau=4.0, loss_weight=3.0))))
custom_hooks = [dict(type='StudentCheckpointHook')]
