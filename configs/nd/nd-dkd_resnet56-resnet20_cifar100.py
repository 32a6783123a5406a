# DKD++ = DKD + ND loss (Wang et al., arXiv 2305.17007), CIFAR-100, ResNet-56 -> ResNet-20.
# Paper: 72.16 top-1.
# The authors' released recipe (their CIFAR-100 training script):
#   loss       CE + w(epoch) * DKD(alpha 2.5, beta 4.0, tau 4) + 3.5 * ND, w = min(1, epoch / 20)
#              (epochs from 0; the ND term is not warmed up)
#   ND         the pooled 64-d student feature (no projector: the widths match) against the
#              teacher's class means
#   optimizer  SGD, momentum 0.9, Nesterov, lr 0.1, weight decay 5e-4
#   schedule   240 epochs, lr x0.1 at epochs 150/180/210
#   batch      Total batch 128 = 2 GPUs x 64:  bash tools/dist_train.sh CONFIG 2
#              1 GPU: --cfg-options train_dataloader.batch_size=128 (the same total batch).
#              Any other total batch: add --auto-scale-lr (lr x total / 128, from
#              auto_scale_lr.base_batch_size = 128).
# Everything else (teacher, class means, ND point) as nd-kd_resnet56-resnet20_cifar100.py.
_base_ = ['./nd-kd_resnet56-resnet20_cifar100.py']

model = dict(
    distill_points=dict(
        kd=dict(loss=dict(_delete_=True, type='DKDLoss', alpha=2.5, beta=4.0, tau=4.0)),
        nd=dict(loss=dict(loss_weight=3.5))))
