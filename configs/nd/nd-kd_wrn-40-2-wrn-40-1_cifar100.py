# KD++ = KD + ND loss (Wang et al., arXiv 2305.17007), CIFAR-100, WRN-40-2 -> WRN-40-1.
# Paper: 74.59 top-1 (DKD++ 75.02: nd-dkd_wrn-40-2-wrn-40-1_cifar100.py).
# The authors' values for this pair (the shared recipe: _base_/nd-kd_cifar100.py):
#   loss       CE + w(epoch) * 1.0 * KD(tau 4) + 1.5 * ND, w = min(1, epoch / 20) (epochs from 0)
#   ND         the pooled 64-d student feature through the ND projector BN1d -> Dropout(0.5)
#              -> Linear(64, 128) (feeds only the ND loss; Linear bias starts at 0, as the
#              authors' CIFAR code) against the teacher's 128-d class means
#   batch      Total batch 128 = 2 GPUs x 64:  bash tools/dist_train.sh CONFIG 2
#              1 GPU: --cfg-options train_dataloader.batch_size=128 (the same total batch).
#              Any other total batch: add --auto-scale-lr (lr x total / 128, from
#              auto_scale_lr.base_batch_size = 128).
# The teacher has no public checkpoint: train it first with
#   python tools/train.py configs/cifar100/wrn-40-2_cifar100.py
# which writes the checkpoint named below (or pass model.teacher.checkpoint=PATH).
_base_ = ['../cifar100/wrn-40-1_cifar100.py', './_base_/nd-kd_cifar100.py']

model = dict(
    _delete_=True,
    type='FeatureDistiller',
    student={{_base_.model}},
    teacher=dict(
        config='{{fileDirname}}/../cifar100/wrn-40-2_cifar100.py',
        checkpoint='work_dirs/wrn-40-2_cifar100/epoch_240.pth'),
    distill_points=dict(
        kd=dict(
            student='head.fc',
            teacher='head.fc',
            loss=dict(type='KDLoss', tau=4.0, loss_weight=1.0)),
        nd=dict(
            student='neck[-1]',  # (B, 64)
            teacher='neck[-1]',  # (B, 128)
            connector=dict(
                type='NDProjector', student_channels=64, teacher_channels=128,
                linear_init='zero_bias'),
            loss=dict(
                type='NDLoss',
                class_means='work_dirs/class_means/wrn-40-2_cifar100_neck.pth',
                num_classes=100,
                embed_dim=128,
                lazy_load=True,  # the hook (re)writes the file after the model is built
                loss_weight=1.5))))
optim_wrapper = dict(optimizer=dict(lr=0.1, nesterov=True))
auto_scale_lr = dict(base_batch_size=128)
