# DiffKD† (Huang et al., NeurIPS 2023) on COCO: the DiffKD setting (./diffkd_fpn_coco.py) with the
# distance between each denoised student FPN level and the teacher's replaced by an
# attention-weighted, foreground/background balanced MSE (the focal feature loss of FGD, Yang et
# al. 2022; mmkd_ext FGDFeatureLoss; alpha 1, beta 0.5, temperature 0.5). A
# configs/diffkd/diffkd-fgd_*_coco.py config lists its DiffKD config first and this file second;
# everything else (points, weights, box-regression KD, schedule) is that config's.

#: What DiffKD† changes in the distiller of a DiffKD config: a config takes it with
#: ``model = _base_.pop('distiller')``, which merges it into the distiller it inherits.
distiller = dict(
    distill_points={
        f'fpn{i}': dict(
            loss=dict(_delete_=True, type='FGDFeatureLoss', alpha=1.0, beta=0.5, temperature=0.5))
        for i in range(5)
    })
