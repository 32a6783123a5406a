# DKD++ (DKD + ND loss) on the toy classification split with the authors' CIFAR-100 values of the
# pair ResNet32x4 -> ResNet8x4: DKD alpha 2.0, beta 8.0, tau 4 (warmed up like KD) and ND weight 0.5.
# Everything else (ND projector, class means, warm-up) as nd-kd_resnet18w32-r18w8_toy-cls.py.
_base_ = ['./nd-kd_resnet18w32-r18w8_toy-cls.py']

model = dict(
    distill_points=dict(
        kd=dict(loss=dict(_delete_=True, type='DKDLoss', alpha=2.0, beta=8.0, tau=4.0)),
        nd=dict(loss=dict(loss_weight=0.5))))
