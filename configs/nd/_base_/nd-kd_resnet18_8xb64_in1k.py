# The ND authors' ImageNet-1k KD++ setting (./nd-kd_in1k.py) with mmpretrain's ResNet-18 student,
# shared by the configs of its teachers (nd-kd_resnet{34,50,101,152}-resnet18_8xb64_in1k.py), which
# wrap its stock model as the student and add the teacher, the KD / ND weights and the widths
# (ResNet-34: no projector).
# Student: mmpretrain's ResNet-18 init, every residual block ends in a zero-initialised BN
# (torchvision's init, the authors', has no zero-init; docs/nd.md, "Teachers and initialisation").
_base_ = ['./nd-kd_in1k.py', 'mmpretrain::resnet/resnet18_8xb32_in1k.py']

custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)
train_dataloader = dict(batch_size=64)
optim_wrapper = dict(optimizer=dict(lr=0.2, nesterov=True))
auto_scale_lr = dict(base_batch_size=512)
