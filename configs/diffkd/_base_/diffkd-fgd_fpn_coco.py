# DiffKD† (Huang et al., NeurIPS 2023) on COCO: the DiffKD setting (./diffkd_fpn_coco.py) with the
# distance between each denoised student FPN level and the teacher's replaced by an
# attention-weighted, foreground/background balanced MSE (the focal feature loss of FGD, Yang et
# al. 2022; mmkd_ext FGDFeatureLoss; alpha 1, beta 0.5, temperature 0.5). A
# configs/diffkd/diffkd-fgd_*_coco.py config takes diffkd_fgd_fpn_points where its DiffKD config
# takes diffkd_fpn_points; everything else (points, weights, box-regression KD, schedule) is the
# DiffKD config's.
_base_ = ['./diffkd_fpn_coco.py']

fgd_feature_loss = dict(type='FGDFeatureLoss', alpha=1.0, beta=0.5, temperature=0.5)
#: The DiffKD points of the five FPN levels with the FGD loss as their distance.
diffkd_fgd_fpn_points = dict(
    fpn0=dict(_base_.diffkd_fpn_points.fpn0, loss=fgd_feature_loss),
    fpn1=dict(_base_.diffkd_fpn_points.fpn1, loss=fgd_feature_loss),
    fpn2=dict(_base_.diffkd_fpn_points.fpn2, loss=fgd_feature_loss),
    fpn3=dict(_base_.diffkd_fpn_points.fpn3, loss=fgd_feature_loss),
    fpn4=dict(_base_.diffkd_fpn_points.fpn4, loss=fgd_feature_loss))
