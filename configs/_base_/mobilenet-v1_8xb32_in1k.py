# MobileNetV1 (1.0x, 4.2M parameters) on ImageNet-1k: there is no stock mmpretrain config, so this
# is mmpretrain's ResNet-18 config (the torchvision recipe used by the KD literature: 100 epochs,
# batch 256, SGD lr 0.1, x0.1 at 30/60/90, weight decay 1e-4) with the backbone swapped. It is the
# student of the ResNet-50 -> MobileNetV1 configs in configs/pefd and configs/nd.
_base_ = ['mmpretrain::resnet/resnet18_8xb32_in1k.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)  # registers MobileNetV1
model = dict(
    backbone=dict(_delete_=True, type='MobileNetV1', widen_factor=1.0, out_indices=(13, )),
    head=dict(in_channels=1024))
