"""ND + KL on the student's sampled RoIs of Faster R-CNN (RoIDistiller), on the toy detection pair."""
import copy
import glob
import json
import math

import pytest
import torch
import torch.nn.functional as F
from helpers.runs import save_random_teacher, toy_config, train
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import MODELS, init_default_scope

from mmkd_ext.datasets import fake_batch
from mmkd_ext.distillers import RoIDistiller
from mmkd_ext.distillers.roi_distiller import proposals_of
from mmkd_ext.nd import read_class_means
from mmkd_ext.utils.digest import file_digest

ND_DET = 'nd-kd_faster-rcnn_r18w32-r18w8_fpn_toy-det.py'
NUM_CLASSES = 4


def build(**overrides) -> tuple:
    cfg = Config.fromfile(toy_config(ND_DET))
    cfg.model.teacher.checkpoint = None
    cfg.model.update(overrides)
    init_default_scope(cfg.default_scope)
    model = MODELS.build(cfg.model)
    if model.roi_nd is not None:
        model.roi_nd.set_class_means(torch.randn(NUM_CLASSES + 1, 128,
                                                 generator=torch.Generator().manual_seed(0)))
    return cfg, model


def capture(module, store: list, inputs: bool = True):
    """Record a module's positional inputs (pre-hook) or output (hook) into ``store``."""
    if inputs:
        return module.register_forward_pre_hook(lambda m, args: store.append(args))
    return module.register_forward_hook(lambda m, args, out: store.append(out))


def test_teacher_embeds_exactly_the_students_sampled_rois():
    cfg, model = build()
    assert isinstance(model, RoIDistiller)
    teacher, student = model.teacher.model, model.student
    s_pool, t_pool, t_relu, t_calls = [], [], [], {'rpn_head': 0, 'loss_cls': 0, 'neck': 0}
    capture(student.roi_head.bbox_roi_extractor, s_pool)
    capture(teacher.roi_head.bbox_roi_extractor, t_pool)
    capture(teacher.roi_head.bbox_head.relu, t_relu, inputs=False)
    for name, module in (('rpn_head', teacher.rpn_head), ('neck', teacher.neck),
                         ('loss_cls', teacher.roi_head.bbox_head.loss_cls)):
        module.register_forward_pre_hook(lambda *a, n=name: t_calls.__setitem__(n, t_calls[n] + 1))
    model.train()
    optim = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
    losses = model.train_step(fake_batch(student, 2, (64, 64)), optim)

    assert t_calls == {'rpn_head': 0, 'loss_cls': 0, 'neck': 1}, 'no teacher RPN, no teacher loss'
    assert len(s_pool) == 1 and len(t_pool) == 1
    s_rois, t_rois = s_pool[0][1], t_pool[0][1]
    assert s_rois.shape[0] > 0 and torch.equal(s_rois, t_rois), 'same count, same boxes'
    assert t_relu[-1].shape == (s_rois.shape[0], 128)
    assert all(math.isfinite(losses[k].item()) and losses[k].item() > 0
               for k in ('distill.roi_nd.loss_nd', 'distill.roi_kd.loss_kd'))
    assert all(p.grad is None for p in teacher.parameters())


def test_roi_losses_match_a_direct_computation():
    cfg, model = build()
    model.train()
    student = model.student
    data = model.data_preprocessor(fake_batch(student, 2, (64, 64)), True)
    labels_seen = []
    capture(student.roi_head.bbox_head.loss_cls, labels_seen)
    losses = model.loss(data['inputs'], data['data_samples'])
    rois = model.student_recorders.get('roi_head.bbox_roi_extractor:input', (1, ))
    labels = labels_seen[0][1]
    assert (labels == NUM_CLASSES).any(), 'background RoIs are distilled too'

    # The teacher side by hand: its FPN on the same input, its extractor, its two shared FCs.
    teacher = model.teacher.model
    with torch.no_grad():
        feats = teacher.extract_feat(model.teacher.teacher_inputs(data['inputs']))
        head = teacher.roi_head.bbox_head
        x = teacher.roi_head.bbox_roi_extractor(feats[:4], rois).flatten(1)
        for fc in head.shared_fcs:
            x = F.relu(fc(x))
        t_embed, t_logits = x, head.fc_cls(x)
    # The student side from its own head on its own features.
    s_feats = student.extract_feat(data['inputs'])
    s_head = student.roi_head.bbox_head
    y = student.roi_head.bbox_roi_extractor(s_feats[:4], rois).flatten(1)
    for fc in s_head.shared_fcs:
        y = F.relu(fc(y))
    s_logits = s_head.fc_cls(y)

    means = model.roi_nd.class_means[labels]
    direction = means / means.norm(dim=1, keepdim=True)
    nd = (1 - (y * direction).sum(1) / torch.maximum(y.norm(dim=1), t_embed.norm(dim=1))).mean()
    kl = F.kl_div(F.log_softmax(s_logits, 1), F.log_softmax(t_logits, 1), reduction='none',
                  log_target=True).sum(1).mean()
    nd = nd * cfg.model.roi_nd.loss_weight
    torch.testing.assert_close(losses['distill.roi_nd.loss_nd'], nd, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(losses['distill.roi_kd.loss_kd'], kl, rtol=1e-4, atol=1e-5)

    # The ND gradient reaches the student's shared FCs.
    model.zero_grad()
    losses['distill.roi_nd.loss_nd'].backward()
    assert s_head.shared_fcs[-1].weight.grad.abs().sum() > 0


def test_generic_points_work_beside_the_roi_losses():
    point = dict(student='neck[0]', teacher='neck[0]', loss=dict(type='FeatureMSELoss'))
    cfg, model = build(distill_points=dict(fpn0=point), roi_kd=None)
    model.train()
    optim = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
    losses = model.train_step(fake_batch(model.student, 2, (64, 64)), optim)
    assert {'distill.fpn0.loss_feature_mse', 'distill.roi_nd.loss_nd'} <= set(losses)
    assert 'distill.roi_kd.loss_kd' not in losses


def test_bad_setups_are_refused():
    with pytest.raises(ValueError, match='roi_nd and/or roi_kd'):
        build(roi_nd=None, roi_kd=None)
    with pytest.raises(ValueError, match='classes'):
        build(teacher=dict(config=Config.fromfile(toy_config(ND_DET)).model.teacher.config,
                           checkpoint=None,
                           cfg_options={'model.roi_head.bbox_head.num_classes': 7}))


def test_proposals_give_the_teacher_head_the_students_rois_in_order():
    from mmdet.structures.bbox import bbox2roi
    rois = torch.tensor([[0, 1., 2., 3., 4.], [0, 5., 6., 7., 8.], [2, 1., 1., 2., 2.]])
    proposals = proposals_of(rois, num_images=3)
    assert [len(p) for p in proposals] == [2, 0, 1]  # an image without RoIs stays in its place
    torch.testing.assert_close(bbox2roi([p.bboxes for p in proposals]), rois)
    with pytest.raises(RuntimeError, match='not grouped by image'):
        proposals_of(rois[[2, 0, 1]], num_images=3)


@pytest.mark.slow
def test_train_py_runs_with_roi_class_means_from_the_hook(in_toy_workspace):
    save_random_teacher(ND_DET, 'teacher.pth')
    train(toy_config(ND_DET), 'run', ['model.teacher.checkpoint=teacher.pth',
                                      'train_cfg.max_iters=3', 'train_cfg.val_interval=3',
                                      'default_hooks.checkpoint.interval=3'])
    record = read_class_means('work_dirs/class_means/toy_faster-rcnn_r18-w32_roi.pth')
    assert tuple(record['class_means'].shape) == (NUM_CLASSES + 1, 128)
    assert record['layer'] == 'roi_head.bbox_head.relu[1]'
    assert record['teacher_digest'] == file_digest('teacher.pth')
    counts = record['counts']
    with open('data/toy/annotations/train.json') as f:
        num_gt = len(json.load(f)['annotations'])
    # Every gt box is added to the teacher's proposals and sampled as a positive (the toy images
    # hold at most 3 objects, far below the sampler's positive quota), plus background RoIs.
    assert int(counts[:NUM_CLASSES].sum()) >= num_gt and int(counts[NUM_CLASSES]) > 0
    scalars = glob.glob('run/*/vis_data/scalars.json')[0]
    with open(scalars) as f:
        logged = [json.loads(line) for line in f if 'distill.roi_nd.loss_nd' in line]
    assert len(logged) == 3
    assert all(math.isfinite(r['distill.roi_nd.loss_nd']) and math.isfinite(
        r['distill.roi_kd.loss_kd']) for r in logged)
