# DiffKD† on the toy detection set, as configs/diffkd/_base_/diffkd-fgd_fpn_coco.py: the DiffKD
# toy configs (../diffkd_*_r18w32-r18w8_fpn_toy-det.py) with the attention-weighted,
# foreground/background balanced MSE (FGDFeatureLoss, the paper's detection variant; alpha 1,
# beta 0.5, temperature 0.5) between each denoised student FPN level and the teacher's. A
# ../diffkd-fgd_*_toy-det.py config lists its DiffKD config first and this file second;
# everything else (denoisers, weight 5, box-regression KD) is that config's.

#: What DiffKD† changes in the distiller of a DiffKD config: a config takes it with
#: ``model = _base_.pop('distiller')``, which merges it into the distiller it inherits.
distiller = dict(
    distill_points={
        f'fpn{i}': dict(
            loss=dict(_delete_=True, type='FGDFeatureLoss', alpha=1.0, beta=0.5, temperature=0.5))
        for i in range(4)
    })
