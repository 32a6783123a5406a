# DKD++ = DKD + ND loss (Wang et al., arXiv 2305.17007), CIFAR-100, ResNet-32x4 -> ShuffleNetV1.
# Paper: 77.11 top-1.
# The authors' values for this pair (the shared recipe: _base_/nd-kd_cifar100.py):
#   loss       CE + w(epoch) * DKD(alpha 0.5, beta 8.0, tau 4) + 4.0 * ND, w = min(1, epoch / 20)
#              (epochs from 0; the ND term is not warmed up)
#   ND         the pooled 960-d student feature through the ND projector BN1d -> Dropout(0.5)
#              -> Linear(960, 256) (feeds only the ND loss; Linear bias starts at 0, as the
#              authors' CIFAR code) against the teacher's 256-d class means
#   optimizer  lr 0.02 (0.1 for the other students)
#   batch      Total batch 128 = 2 GPUs x 64:  bash tools/dist_train.sh CONFIG 2
#              1 GPU: --cfg-options train_dataloader.batch_size=128 (the same total batch).
#              Any other total batch: add --auto-scale-lr (lr x total / 128, from
#              auto_scale_lr.base_batch_size = 128).
# Everything else (teacher, class means, ND point) as nd-kd_resnet32x4-shufflenetv1_cifar100.py.
_base_ = ['./nd-kd_resnet32x4-shufflenetv1_cifar100.py']

model = dict(
    distill_points=dict(
        kd=dict(loss=dict(_delete_=True, type='DKDLoss', alpha=0.5, beta=8.0, tau=4.0)),
        nd=dict(loss=dict(loss_weight=4.0))))
