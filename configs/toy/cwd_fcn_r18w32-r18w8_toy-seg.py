# Channel-wise distillation (CWD, Shu et al. 2021) on the toy segmentation set: per-channel
# spatial softmax of the decode heads' logits, KL with temperature 4, loss weight 3 (the CWD
# paper's semantic-segmentation setting). Teacher and point as kd_fcn_r18w32-r18w8_toy-seg.py.
_base_ = ['./kd_fcn_r18w32-r18w8_toy-seg.py']

model = dict(
    distill_points=dict(
        logits=dict(loss=dict(_delete_=True, type='CWDLoss', tau=4.0, loss_weight=3.0))))
