# DiffKD† on the toy detection set: DiffKD with the attention-weighted, foreground/background
# balanced MSE (FGDFeatureLoss, the paper's detection variant; alpha 1, beta 0.5, temperature 0.5
# as in configs/diffkd/diffkd-fgd_*; ./_base_/diffkd-fgd_fpn_toy-det.py) between each denoised
# student FPN level and the teacher's.
# Everything else (denoisers, weight 5, box-regression KD) as diffkd_faster-rcnn_r18w32-r18w8_*.
_base_ = [
    './diffkd_faster-rcnn_r18w32-r18w8_fpn_toy-det.py',
    './_base_/diffkd-fgd_fpn_toy-det.py',
]

model = _base_.pop('distiller')
