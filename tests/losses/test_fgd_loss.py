"""FGDFeatureLoss: masks from boxes, fg/bg normalisation, teacher attention, and the loss value."""
import math
import os.path as osp

import pytest
import torch
import torch.nn.functional as F

from mmkd_ext.losses import FGDFeatureLoss
from mmkd_ext.registry import MODELS


def _sample(boxes, batch_input_shape=(32, 32), img_shape=None):
    """A detection data sample with ``boxes`` (xyxy, input pixels) and the shape metainfo."""
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    sample = DetDataSample(metainfo=dict(batch_input_shape=batch_input_shape,
                                         img_shape=img_shape or batch_input_shape))
    boxes = torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4)
    labels = torch.zeros(len(boxes), dtype=torch.long)
    sample.gt_instances = InstanceData(bboxes=boxes, labels=labels)
    return sample


def test_registered_and_needs_data_samples():
    loss = MODELS.build(dict(type='FGDFeatureLoss'))
    assert isinstance(loss, FGDFeatureLoss) and loss.needs_data_samples
    assert (loss.alpha, loss.beta, loss.temperature, loss.fg_norm) == (1.0, 0.5, 0.5, 'image')
    with pytest.raises(ValueError, match='fg_norm'):
        FGDFeatureLoss(fg_norm='pixel')
    with pytest.raises(ValueError, match='temperature'):
        FGDFeatureLoss(temperature=0)


def test_name_does_not_collide_with_the_toolboxes():
    from mmdet.registry import MODELS as DET
    from mmpretrain.registry import MODELS as CLS
    from mmseg.registry import MODELS as SEG
    for registry in (DET, SEG, CLS):
        assert 'FGDFeatureLoss' not in registry.module_dict
        with registry.switch_scope_and_registry(registry.scope) as scoped:
            assert scoped.get('FGDFeatureLoss') is FGDFeatureLoss


def test_region_weights_image_norm():
    loss = FGDFeatureLoss()
    # Input 32 x 32, feature 8 x 8 (stride 4): the box (4, 8)-(12, 16) covers cells x 1..2, y 2..3.
    w_fg, w_bg = loss.region_weights([_sample([[4, 8, 12, 16]])], 8, 8, torch.device('cpu'))
    fg_cells = (w_fg[0] > 0).nonzero().tolist()
    assert fg_cells == [[2, 1], [2, 2], [3, 1], [3, 2]]
    assert torch.allclose(w_fg[0][w_fg[0] > 0], torch.full((4, ), 0.25))
    assert torch.isclose(w_bg.sum(), torch.tensor(1.0)) and (w_bg[0] > 0).sum() == 60
    assert not ((w_fg > 0) & (w_bg > 0)).any()


def test_region_weights_padding_tiny_boxes_and_no_boxes():
    loss = FGDFeatureLoss()
    samples = [
        # A 16 x 24 image in a 32 x 32 padded batch: only 4 x 6 of the 8 x 8 cells are valid.
        _sample([[0.5, 0.5, 1.0, 1.0]], img_shape=(16, 24)),  # far smaller than a cell
        _sample([]),  # no objects: background only
    ]
    w_fg, w_bg = loss.region_weights(samples, 8, 8, torch.device('cpu'))
    assert (w_fg[0] > 0).nonzero().tolist() == [[0, 0]] and w_fg[0, 0, 0] == 1.0
    assert (w_bg[0] > 0).sum() == 4 * 6 - 1
    assert (w_bg[0, 4:] == 0).all() and (w_bg[0, :, 6:] == 0).all()
    assert w_fg[1].sum() == 0 and torch.isclose(w_bg[1].sum(), torch.tensor(1.0))


def test_region_weights_box_norm():
    loss = FGDFeatureLoss(fg_norm='box')
    # A 2 x 2-cell box inside a 4 x 4-cell box: overlapped cells take the small box's 1/4.
    sample = _sample([[0, 0, 16, 16], [0, 0, 8, 8]])
    w_fg, _ = loss.region_weights([sample], 8, 8, torch.device('cpu'))
    assert torch.allclose(w_fg[0, :2, :2], torch.full((2, 2), 0.25))
    assert torch.isclose(w_fg[0, 3, 3], torch.tensor(1 / 16))
    assert (w_fg[0, 4:] == 0).all()


def test_floor_ceil_cells_take_one_more_row_and_column():
    """fg_cells='floor_ceil' reproduces the official FGD code's slice floor(x1) ... ceil(x2)."""
    with pytest.raises(ValueError, match='fg_cells'):
        FGDFeatureLoss(fg_cells='inclusive')
    assert FGDFeatureLoss().fg_cells == 'covered'
    # Stride 4: (4, 8)-(12, 16) -> x 1 ... 3, y 2 ... 4 (3 x 3), where 'covered' has x 1..2, y 2..3;
    # (25, 26)-(30.5, 29) -> x 6 ... 8 and y 6 ... 8, clipped to the 8 x 8 grid (2 x 2).
    samples = [_sample([[4, 8, 12, 16]]), _sample([[25, 26, 30.5, 29]])]
    w_fg, w_bg = FGDFeatureLoss(fg_cells='floor_ceil').region_weights(
        samples, 8, 8, torch.device('cpu'))
    assert (w_fg[0] > 0).nonzero().tolist() == [[y, x] for y in (2, 3, 4) for x in (1, 2, 3)]
    assert (w_fg[1] > 0).nonzero().tolist() == [[6, 6], [6, 7], [7, 6], [7, 7]]
    assert (w_bg[0] > 0).sum() == 64 - 9
    covered, _ = FGDFeatureLoss().region_weights(samples, 8, 8, torch.device('cpu'))
    assert (covered[1] > 0).nonzero().tolist() == [[6, 6], [6, 7], [7, 6], [7, 7]]
    # The box weighting divides by the official code's unclipped extent: 3 x 3 cells for both
    # boxes, although only 2 x 2 of the second lie on the grid.
    w_box, _ = FGDFeatureLoss(fg_norm='box', fg_cells='floor_ceil').region_weights(
        samples, 8, 8, torch.device('cpu'))
    assert torch.allclose(w_box[0][w_box[0] > 0], torch.full((9, ), 1 / 9))
    assert torch.allclose(w_box[1][w_box[1] > 0], torch.full((4, ), 1 / 9))


def official_fgd_focal_loss(student, teacher, boxes, img_shape, alpha, beta, temperature):
    """FGD's focal feature loss computed directly from the rule of the official FGD code.

    Boxes scale to the grid by ``img_shape``; a box marks the cells ``floor(x1) … ceil(x2)`` by
    ``floor(y1) … ceil(y2)`` (the slice ends at the grid) with the weight
    ``1 / ((ceil(y2) + 1 − floor(y1)) · (ceil(x2) + 1 − floor(x1)))``, the largest weight wins
    where boxes overlap; the background is every other cell, normalised to sum 1 per image. The
    squared error, weighted by the teacher's spatial and channel attention, is summed over
    channels and cells and averaged over the images.
    """
    n, c, h, w = teacher.shape
    magnitude = teacher.abs()
    spatial = h * w * F.softmax(magnitude.mean(1).reshape(n, -1) / temperature, 1).reshape(n, h, w)
    channel = c * F.softmax(magnitude.mean((2, 3)) / temperature, 1)
    fg = torch.zeros(n, h, w)
    img_h, img_w = img_shape
    for i, image_boxes in enumerate(boxes):
        for x1, y1, x2, y2 in image_boxes:
            x_lo, x_hi = math.floor(x1 / img_w * w), math.ceil(x2 / img_w * w)
            y_lo, y_hi = math.floor(y1 / img_h * h), math.ceil(y2 / img_h * h)
            weight = 1.0 / ((y_hi + 1 - y_lo) * (x_hi + 1 - x_lo))
            cells = fg[i, y_lo:y_hi + 1, x_lo:x_hi + 1]
            fg[i, y_lo:y_hi + 1, x_lo:x_hi + 1] = cells.clamp(min=weight)
    bg = (fg == 0).float()
    bg = bg / bg.sum(dim=(1, 2), keepdim=True).clamp(min=1.0)
    error = (student - teacher).pow(2) * channel[:, :, None, None] * spatial[:, None]
    return (alpha * (error * fg[:, None]).sum() + beta * (error * bg[:, None]).sum()) / n


@pytest.mark.parametrize('stride', [4, 8, 16, 32])
def test_floor_ceil_box_norm_equals_the_official_fgd_loss(stride):
    """fg_norm='box', fg_cells='floor_ceil' is FGD's focal loss / C at every stride, boxes at the
    image border included (an unpadded batch: img_shape is the batch input shape)."""
    size = 64
    boxes = [
        [[40.0, 44.0, 64.0, 64.0], [0.0, 0.0, 20.0, 12.0], [3.5, 5.25, 17.75, 29.5]],
        [[10.0, 30.0, 30.0, 50.0], [50.5, 0.0, 64.0, 63.0]],
    ]
    gen = torch.Generator().manual_seed(stride)
    student = torch.randn(2, 6, size // stride, size // stride, generator=gen)
    teacher = torch.randn(2, 6, size // stride, size // stride, generator=gen)
    loss = FGDFeatureLoss(alpha=1.0, beta=0.5, temperature=0.5, fg_norm='box',
                          fg_cells='floor_ceil')
    ours = loss.compute(student, teacher, [_sample(b, batch_input_shape=(size, size))
                                           for b in boxes])
    official = official_fgd_focal_loss(student, teacher, boxes, (size, size), 1.0, 0.5, 0.5)
    torch.testing.assert_close(ours * student.shape[1], official, rtol=1e-5, atol=1e-6)


def test_uniform_attention_gives_balanced_mse():
    # |t| constant everywhere: both attentions are exactly 1, so the loss is
    # alpha * MSE over the box cells + beta * MSE over the other cells.
    loss = FGDFeatureLoss(alpha=2.0, beta=0.5)
    teacher = torch.ones(1, 3, 8, 8)
    teacher[:, 1] = -1.0
    student = torch.randn(1, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    value = loss(student, teacher, [_sample([[4, 8, 12, 16]])])
    sq = (student - teacher).pow(2).mean(dim=1)[0]
    fg = torch.zeros(8, 8, dtype=torch.bool)
    fg[2:4, 1:3] = True
    assert torch.isclose(value, 2.0 * sq[fg].mean() + 0.5 * sq[~fg].mean(), atol=1e-6)


def test_attention_follows_teacher_and_gradient_reaches_student_only():
    loss = FGDFeatureLoss(temperature=0.5)
    g = torch.Generator().manual_seed(1)
    teacher = torch.randn(2, 4, 6, 6, generator=g)
    teacher[:, :, 0, 0] = 10.0  # a hot spot
    spatial, channel = loss.attention(teacher)
    assert torch.allclose(spatial.mean(dim=(1, 2)), torch.ones(2))
    assert torch.allclose(channel.mean(dim=1), torch.ones(2))
    assert (spatial[:, 0, 0] == spatial.flatten(1).amax(dim=1)).all()

    student = torch.randn(2, 4, 6, 6, generator=g, requires_grad=True)
    teacher.requires_grad_(True)
    samples = [_sample([[0, 0, 10, 10]], (24, 24)), _sample([[8, 8, 20, 24]], (24, 24))]
    value = loss(student, teacher, samples)
    value.backward()
    assert student.grad is not None and student.grad.abs().sum() > 0
    # The attention is a constant weight: d/dt of w·(s − t)² is exactly −d/ds.
    assert torch.allclose(teacher.grad, -student.grad, atol=1e-7)
    assert loss(teacher.detach(), teacher.detach(), samples) == 0


def test_scale_matches_mse_for_random_features():
    # With fg_norm='image' and alpha = beta = 1 the loss is a re-weighted MSE: same order.
    loss = FGDFeatureLoss(alpha=1.0, beta=1.0)
    g = torch.Generator().manual_seed(2)
    student, teacher = torch.randn(2, 16, 8, 8, generator=g), torch.randn(2, 16, 8, 8, generator=g)
    samples = [_sample([[0, 0, 16, 16]]), _sample([[8, 8, 30, 30]])]
    ratio = loss(student, teacher, samples) / F.mse_loss(student, teacher)
    assert 0.3 < float(ratio) < 3.0


def test_bad_inputs():
    loss = FGDFeatureLoss()
    x = torch.zeros(1, 2, 4, 4)
    with pytest.raises(ValueError, match='data sample'):
        loss(x, x, None)
    with pytest.raises(ValueError, match='data sample'):
        loss(x, x, [_sample([]), _sample([])])
    with pytest.raises(ValueError, match='4-D'):
        loss(torch.zeros(1, 2), torch.zeros(1, 2), [_sample([])])
    from mmpretrain.structures import DataSample
    with pytest.raises(ValueError, match='gt_instances'):
        loss(x, x, [DataSample(metainfo=dict(img_shape=(4, 4)))])


def test_boxes_as_mmdet_box_objects():
    # mmdet's LoadAnnotations / PackDetInputs keep the boxes as HorizontalBoxes in real pipelines.
    from mmdet.structures.bbox import HorizontalBoxes
    loss = FGDFeatureLoss(fg_norm='box')
    plain = _sample([[4, 8, 12, 16], [0, 0, 32, 4]])
    boxed = _sample([[4, 8, 12, 16], [0, 0, 32, 4]])
    boxed.gt_instances.bboxes = HorizontalBoxes(boxed.gt_instances.bboxes)
    for a, b in zip(loss.region_weights([plain], 8, 8, torch.device('cpu')),
                    loss.region_weights([boxed], 8, 8, torch.device('cpu'))):
        assert torch.equal(a, b)


def test_fg_cells_tool_on_the_toy_detector(in_toy_workspace, capsys):
    """tools/misc/fgd_fg_cells.py measures both cell rules on every recorded FPN level."""
    from helpers.runs import run_tool, toy_config
    run_tool(osp.join('misc', 'fgd_fg_cells.py'),
             [toy_config('mse_faster-rcnn_r18w32-r18w8_fpn_toy-det.py'), '--random-teacher',
              '--max-batches', '1'])
    lines = capsys.readouterr().out.strip().splitlines()  # after pycocotools' own messages
    first = next(i for i, line in enumerate(lines) if 'floor_ceil' in line)
    rows = [line.split() for line in lines[first + 1:]]
    assert [row[0] for row in rows] == [f'neck[{i}]' for i in range(4)]
    assert [int(row[1]) for row in rows] == [4, 8, 16, 32]  # strides of the 64 px toy inputs
    cells = [(float(row[2]), float(row[4])) for row in rows]
    assert all(0 < covered <= wider for covered, wider in cells)
    assert cells[0][0] < cells[0][1]  # one more row and column per box (clipped at the border)
