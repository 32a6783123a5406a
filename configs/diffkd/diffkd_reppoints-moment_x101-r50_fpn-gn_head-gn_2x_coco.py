# DiffKD (Huang et al., NeurIPS 2023) on COCO, 2x schedule.
# Teacher: RepPoints (moment) X101-32x4d with DCN in stages c3-c5, GN FPN and head, 2x
#   (44.2 box AP), mmdet model zoo.
# Student: RepPoints (moment) R50, GN FPN and head, 2x (stock baseline 38.6 AP) -> paper: 41.7 AP.
#
# Points: DiffKD on the FPN levels P3-P7 (./_base_/diffkd_fpn_coco.py) with weight 15, the paper's
# RepPoints weight; box-regression KD, weight 1: MSE between the student's and the teacher's point
# regressions per level, both stages: the initial points (bbox_head.reppoints_pts_init_out) and the
# refinement offsets (bbox_head.reppoints_pts_refine_out; the refined points are init + offsets, so
# matching both matches the final points).
# Everything else is the stock student config (2x, SGD lr 0.01, weight decay 1e-4).
# Total batch 16 = 8 GPUs x 2:  bash tools/dist_train.sh CONFIG 8. Another GPU count: add
# --auto-scale-lr (lr x total / 16, from auto_scale_lr.base_batch_size = 16).
_base_ = [
    'mmdet::reppoints/reppoints-moment_r50_fpn-gn_head-gn_2x_coco.py',
    './_base_/diffkd_fpn_coco.py',
]

model = _base_.pop('distiller')
model.merge(dict(
    student=_base_.pop('model'),
    teacher=dict(
        config='mmdet::reppoints/reppoints-moment_x101-dconv-c3-c5_fpn-gn_head-gn_2x_coco.py',
        checkpoint='https://download.openmmlab.com/mmdetection/v2.0/reppoints/'
        'reppoints_moment_x101_fpn_dconv_c3-c5_gn-neck%2Bhead_2x_coco/'
        'reppoints_moment_x101_fpn_dconv_c3-c5_gn-neck%2Bhead_2x_coco_20200329-f87da1ea.pth'),
    distill_points={
        **{f'fpn{i}': dict(weight=15.0) for i in range(5)},
        **{
            f'pts_{stage}{i}': dict(
                student=f'bbox_head.reppoints_pts_{stage}_out[{i}]',
                teacher=f'bbox_head.reppoints_pts_{stage}_out[{i}]',
                loss=dict(type='FeatureMSELoss'),
                weight=1.0)
            for stage in ('init', 'refine') for i in range(5)
        },
    }))
