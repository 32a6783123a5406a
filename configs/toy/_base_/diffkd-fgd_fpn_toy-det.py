# DiffKD† on the toy detection set, as configs/diffkd/_base_/diffkd-fgd_fpn_coco.py: the DiffKD
# toy configs (../diffkd_*_r18w32-r18w8_fpn_toy-det.py) with the attention-weighted,
# foreground/background balanced MSE (FGDFeatureLoss, the paper's detection variant; alpha 1,
# beta 0.5, temperature 0.5) between each denoised student FPN level and the teacher's. A
# ../diffkd-fgd_*_toy-det.py config takes diffkd_fgd_fpn_points where its DiffKD config takes
# diffkd_fpn_points; everything else (denoisers, weight 5, box-regression KD) is the DiffKD
# config's.

_base_ = ['./diffkd_fpn_toy-det.py']

fgd_feature_loss = dict(type='FGDFeatureLoss', alpha=1.0, beta=0.5, temperature=0.5)
diffkd_fgd_fpn_points = dict(
    fpn0=dict(_base_.diffkd_fpn_points.fpn0, loss=fgd_feature_loss),
    fpn1=dict(_base_.diffkd_fpn_points.fpn1, loss=fgd_feature_loss),
    fpn2=dict(_base_.diffkd_fpn_points.fpn2, loss=fgd_feature_loss),
    fpn3=dict(_base_.diffkd_fpn_points.fpn3, loss=fgd_feature_loss))
