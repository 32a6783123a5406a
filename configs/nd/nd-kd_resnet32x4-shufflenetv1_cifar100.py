# KD++ = KD + ND loss (Wang et al., arXiv 2305.17007), CIFAR-100, ResNet-32x4 -> ShuffleNetV1.
# Paper: 75.45 top-1 (DKD++ 77.11: nd-dkd_resnet32x4-shufflenetv1_cifar100.py).
# The authors' values for this pair (the shared recipe: _base_/nd-kd_cifar100.py):
#   loss       CE + w(epoch) * 2.5 * KD(tau 4) + 1.5 * ND, w = min(1, epoch / 20) (epochs from 0)
#   ND         the pooled 960-d student feature through the ND projector BN1d -> Dropout(0.5)
#              -> Linear(960, 256) (feeds only the ND loss; Linear bias starts at 0, as the
#              authors' CIFAR code) against the teacher's 256-d class means
#   optimizer  lr 0.02 (0.1 for the other students)
#   batch      Total batch 128 = 2 GPUs x 64:  bash tools/dist_train.sh CONFIG 2
#              1 GPU: --cfg-options train_dataloader.batch_size=128 (the same total batch).
#              Any other total batch: add --auto-scale-lr (lr x total / 128, from
#              auto_scale_lr.base_batch_size = 128).
# The teacher has no public checkpoint: train it first with
#   python tools/train.py configs/cifar100/resnet32x4_cifar100.py
# which writes the checkpoint named below (or pass model.teacher.checkpoint=PATH).
_base_ = ['../cifar100/shufflenetv1_cifar100.py', './_base_/nd-kd_cifar100.py']

model = dict(
    _delete_=True,
    type='FeatureDistiller',
    student={{_base_.model}},
    teacher=dict(
        config='{{fileDirname}}/../cifar100/resnet32x4_cifar100.py',
        checkpoint='work_dirs/resnet32x4_cifar100/epoch_240.pth'),
    distill_points=dict(
        kd=dict(
            student='head.fc',
            teacher='head.fc',
            loss=dict(type='KDLoss', tau=4.0, loss_weight=2.5)),
        nd=dict(
            student='neck[-1]',  # (B, 960)
            teacher='neck[-1]',  # (B, 256)
            connector=dict(
                type='NDProjector', student_channels=960, teacher_channels=256,
                linear_init='zero_bias'),
            loss=dict(
                type='NDLoss',
                class_means='work_dirs/class_means/resnet32x4_cifar100_neck.pth',
                num_classes=100,
                embed_dim=256,
                lazy_load=True,  # the hook (re)writes the file after the model is built
                loss_weight=1.5))))
optim_wrapper = dict(optimizer=dict(lr=0.02, nesterov=True))
auto_scale_lr = dict(base_batch_size=128)
