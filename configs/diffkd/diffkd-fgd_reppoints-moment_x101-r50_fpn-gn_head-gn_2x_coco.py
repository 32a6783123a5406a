# DiffKD† (Huang et al., NeurIPS 2023) on COCO: DiffKD with the FGD-style attention-weighted,
# foreground/background balanced MSE on every FPN level (./_base_/diffkd-fgd_fpn_coco.py).
# RepPoints X101-32x4d-DCN -> RepPoints R50 -> paper: 41.9 AP.
# Everything else (points, weights, box-regression KD, schedule) as in
# diffkd_reppoints-moment_x101-r50_fpn-gn_head-gn_2x_coco.py.
# Total batch 16 = 8 GPUs x 2:  bash tools/dist_train.sh CONFIG 8. Another GPU count: add
# --auto-scale-lr (lr x total / 16, from auto_scale_lr.base_batch_size = 16).
_base_ = [
    './diffkd_reppoints-moment_x101-r50_fpn-gn_head-gn_2x_coco.py',
    './_base_/diffkd-fgd_fpn_coco.py',
]

model = _base_.pop('distiller')
