"""The family matrix of tools/make_config.py: real stock configs, scaled down, distilled for a step.

Each family is a student and a teacher, written as local configs that inherit a stock config of
mmdet / mmseg / mmpretrain and shrink it (depth, widths, layers) so that a CPU step takes a
fraction of a second. :func:`distil_and_reload` runs one case: the generator, one distillation
training step, the student export, and a reload with the toolbox's own API that must predict
exactly like the distiller's student.
"""
import importlib
import os.path as osp
import re
from typing import Dict, Tuple

import torch

from helpers import config_smoke
from helpers.plain_student import assert_same_predictions, plain_reload

SEG_SIZE = "model = dict(data_preprocessor=dict(size=(64, 64))"
R18 = [64, 128, 256, 512]


def two_stage(base: str, width: int, extra: str = '') -> str:
    """A two-stage detector (Faster / Mask / Cascade R-CNN) on ResNet-18, FPN width ``width``."""
    return (f"_base_ = 'mmdet::{base}'\nw = {width}\n"
            f"model = dict(backbone=dict(depth=18, init_cfg=None), "
            f"neck=dict(in_channels={R18}, out_channels=w), "
            f"rpn_head=dict(in_channels=w, feat_channels=w), "
            f"roi_head=dict(bbox_roi_extractor=dict(out_channels=w), {extra}))")


def one_stage(base: str, width: int, head: str = '') -> str:
    """A one-stage FPN detector (RetinaNet, FCOS, ATSS) on ResNet-18, FPN width ``width``."""
    return (f"_base_ = 'mmdet::{base}'\n"
            f"model = dict(backbone=dict(depth=18, init_cfg=None), "
            f"neck=dict(in_channels={R18}, out_channels={width}), "
            f"bbox_head=dict(in_channels={width}, feat_channels={width}, stacked_convs=1{head}))")


def stock(base: str, body: str = '') -> str:
    """A stock config, unchanged but for ``body`` (extra lines)."""
    return f"_base_ = '{base}'\n{body}"


def seg_r18(base: str, channels: int) -> str:
    """An mmseg R18-D8 config at 64 x 64 crops with ``channels`` in the decode head."""
    return stock(f'mmseg::{base}',
                 f"{SEG_SIZE}, backbone=dict(init_cfg=None), pretrained=None, "
                 f"decode_head=dict(channels={channels}), auxiliary_head=None)")


def swin(base: str, embed: int, extra: str) -> str:
    """A Swin backbone config with one block per stage and ``embed`` channels."""
    return stock(base, f"e = {embed}\nmodel = dict(backbone=dict(embed_dims=e, "
                       f"depths=[1, 1, 1, 1], num_heads=[1, 1, 2, 2], init_cfg=None){extra})")


BBOX = 'bbox_head=dict(in_channels=w, fc_out_channels=2 * w)'
CASCADE = ('bbox_head=[dict(h, in_channels=w, fc_out_channels=2 * w) '
           'for h in _base_.model.roi_head.bbox_head]')
MASK = f'{BBOX}, mask_roi_extractor=dict(out_channels=w), mask_head=dict(in_channels=w, ' \
       'conv_out_channels=w)'
RESNET18 = stock('mmpretrain::resnet/resnet18_8xb32_in1k.py')
DINO = ("model = dict(backbone=dict(depth=18, init_cfg=None), neck=dict(in_channels=[128, 256, "
        "512]), encoder=dict(num_layers=1), decoder=dict(num_layers=1), num_queries=20, "
        "dn_cfg=dict(group_cfg=dict(num_dn_queries=10)))")

#: ``{family: (student config text, teacher config text, input size)}``; each text is a local
#: config that inherits a stock config and scales it down.
FAMILIES: Dict[str, Tuple[str, str, Tuple[int, int]]] = {
    'faster-rcnn': (two_stage('faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py', 32, BBOX),
                    two_stage('faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py', 64, BBOX), (64, 64)),
    'mask-rcnn': (two_stage('mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py', 32, MASK),
                  two_stage('mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py', 48, MASK), (64, 64)),
    'cascade-rcnn': (two_stage('cascade_rcnn/cascade-rcnn_r50_fpn_1x_coco.py', 32, CASCADE),
                     two_stage('cascade_rcnn/cascade-rcnn_r50_fpn_1x_coco.py', 48, CASCADE),
                     (64, 64)),
    'retinanet': (one_stage('retinanet/retinanet_r50_fpn_1x_coco.py', 32),
                  one_stage('retinanet/retinanet_r50_fpn_1x_coco.py', 64), (64, 64)),
    'fcos': (one_stage('fcos/fcos_r50-caffe_fpn_gn-head_1x_coco.py', 32),
             one_stage('fcos/fcos_r50-caffe_fpn_gn-head_1x_coco.py', 64), (64, 64)),
    'atss': (one_stage('atss/atss_r50_fpn_1x_coco.py', 32),
             one_stage('atss/atss_r50_fpn_1x_coco.py', 64), (64, 64)),
    'rtmdet': (stock('mmdet::rtmdet/rtmdet_tiny_8xb32-300e_coco.py'),
               stock('mmdet::rtmdet/rtmdet_s_8xb32-300e_coco.py'), (64, 64)),
    'rtmdet-ins': (stock('mmdet::rtmdet/rtmdet-ins_tiny_8xb32-300e_coco.py'),
                   stock('mmdet::rtmdet/rtmdet-ins_s_8xb32-300e_coco.py'), (64, 64)),
    'yolox': (stock('mmdet::yolox/yolox_tiny_8xb8-300e_coco.py'),
              stock('mmdet::yolox/yolox_s_8xb8-300e_coco.py'), (64, 64)),
    'dino': (stock('mmdet::dino/dino-4scale_r50_8xb2-12e_coco.py', DINO),
             stock('mmdet::dino/dino-4scale_r50_8xb2-12e_coco.py', DINO), (64, 64)),
    'swin-retinanet': (
        swin('mmdet::swin/retinanet_swin-t-p4-w7_fpn_1x_coco.py', 16,
             ", neck=dict(in_channels=[2 * e, 4 * e, 8 * e], out_channels=32), "
             "bbox_head=dict(in_channels=32, feat_channels=32, stacked_convs=1)"),
        one_stage('retinanet/retinanet_r50_fpn_1x_coco.py', 64), (64, 64)),
    'fcn': (seg_r18('fcn/fcn_r18-d8_4xb2-80k_cityscapes-512x1024.py', 32),
            seg_r18('fcn/fcn_r18-d8_4xb2-80k_cityscapes-512x1024.py', 64), (64, 64)),
    'deeplabv3plus': (
        seg_r18('deeplabv3plus/deeplabv3plus_r18-d8_4xb2-80k_cityscapes-512x1024.py', 32),
        seg_r18('deeplabv3plus/deeplabv3plus_r18-d8_4xb2-80k_cityscapes-512x1024.py', 64),
        (64, 64)),
    'pspnet': (seg_r18('pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py', 32),
               seg_r18('pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py', 64), (64, 64)),
    'segformer': (
        stock('mmseg::segformer/segformer_mit-b0_8xb2-160k_ade20k-512x512.py',
              f"{SEG_SIZE}, backbone=dict(init_cfg=None))"),
        stock('mmseg::segformer/segformer_mit-b1_8xb2-160k_ade20k-512x512.py',
              f"{SEG_SIZE}, backbone=dict(init_cfg=None))"), (64, 64)),
    'upernet-swin': (
        swin('mmseg::swin/swin-tiny-patch4-window7-in1k-pre_upernet_8xb2-160k_ade20k-512x512.py',
             16, ", data_preprocessor=dict(size=(64, 64)), decode_head=dict(in_channels=[e, 2 * e, "
             "4 * e, 8 * e], channels=32), auxiliary_head=None"),
        swin('mmseg::swin/swin-tiny-patch4-window7-in1k-pre_upernet_8xb2-160k_ade20k-512x512.py',
             32, ", data_preprocessor=dict(size=(64, 64)), decode_head=dict(in_channels=[e, 2 * e, "
             "4 * e, 8 * e], channels=32), auxiliary_head=None"), (64, 64)),
    'resnet': (RESNET18, stock('mmpretrain::resnet/resnet34_8xb32_in1k.py'), (64, 64)),
    'mobilenet-v2': (stock('mmpretrain::mobilenet_v2/mobilenet-v2_8xb32_in1k.py'), RESNET18,
                     (64, 64)),
    'mobilenet-v3': (stock('mmpretrain::mobilenet_v3/mobilenet-v3-small_8xb128_in1k.py'),
                     RESNET18, (64, 64)),
    'efficientnet': (stock('mmpretrain::efficientnet/efficientnet-b0_8xb32_in1k.py'), RESNET18,
                     (64, 64)),
    # Cross-architecture: a CNN teacher for a ViT (DeiT-tiny) student, and the reverse.
    'vit': (stock('mmpretrain::deit/deit-tiny_4xb256_in1k.py'), RESNET18, (64, 64)),
    'vit-teacher': (RESNET18, stock('mmpretrain::deit/deit-tiny_4xb256_in1k.py'), (64, 64)),
    'swin': (stock('mmpretrain::swin_transformer/swin-tiny_16xb64_in1k.py',
                   "model = dict(backbone=dict(arch=dict(_delete_=True, embed_dims=16, "
                   "depths=[1, 1, 1, 1], num_heads=[1, 1, 2, 2]), pad_small_map=True), "
                   "head=dict(in_channels=128))"),
             RESNET18, (64, 64)),
    'convnext': (stock('mmpretrain::convnext/convnext-tiny_32xb128_in1k.py',
                       "model = dict(backbone=dict(arch=dict(_delete_=True, depths=[1, 1, 1, 1], "
                       "channels=[16, 32, 64, 128])), head=dict(in_channels=128))"), RESNET18,
                 (64, 64)),
}

#: ``(family, method)`` of the matrix; the first case of each toolbox is the quick subset. No
#: classification DiffKD here: its vector denoiser normalises the pooled feature over the batch,
#: and two random images through a random network give nearly equal features, so one step's
#: gradients explode (a real batch does not); test_make_config.py checks its config instead.
CASES = [
    ('rtmdet', 'mse'), ('fcn', 'kd'), ('resnet', 'kd'),
    ('faster-rcnn', 'diffkd'), ('mask-rcnn', 'mse'), ('cascade-rcnn', 'mse'),
    ('retinanet', 'diffkd-fgd'), ('fcos', 'cwd'), ('atss', 'mse'), ('rtmdet-ins', 'mse'),
    ('yolox', 'mse'), ('dino', 'mse'), ('swin-retinanet', 'mse'),
    ('fcn', 'mse'), ('deeplabv3plus', 'cwd'), ('deeplabv3plus', 'mse'), ('pspnet', 'dist'),
    ('pspnet', 'diffkd'), ('segformer', 'kd'), ('segformer', 'mse'), ('upernet-swin', 'cwd'),
    ('upernet-swin', 'mse'),
    ('resnet', 'dkd'), ('resnet', 'dist'), ('resnet', 'mse'), ('resnet', 'pefd'), ('resnet', 'nd'),
    ('mobilenet-v2', 'mse'), ('mobilenet-v2', 'dist'),
    ('mobilenet-v3', 'kd'), ('mobilenet-v3', 'pefd'), ('efficientnet', 'mse'),
    ('efficientnet', 'kd'), ('vit', 'mse'), ('vit', 'kd'), ('vit-teacher', 'pefd'),
    ('vit-teacher', 'kd'),
    ('swin', 'mse'), ('swin', 'kd'), ('convnext', 'mse'), ('convnext', 'dist'),
]
QUICK = CASES[:3]


def stock_path(match) -> str:
    """``mmdet::x.py`` as the installed file: MMEngine resolves a ``pkg::`` base by parsing every
    metafile of the package on each load (seconds per config), a plain path at once."""
    package = importlib.import_module(match.group(1))
    return osp.join(osp.dirname(package.__file__), '.mim', 'configs', match.group(2))


def write_config(path: str, text: str) -> str:
    """Write a scaled-down config with its stock base as a file path."""
    with open(path, 'w') as f:
        f.write(re.sub(r"(mmdet|mmseg|mmpretrain)::([^']+)", stock_path, text) + '\n')
    return path


def segments_instances(model: torch.nn.Module) -> bool:
    """Mask R-CNN (a mask RoI head) or RTMDet-Ins (an instance head)."""
    roi_head = getattr(model, 'roi_head', None)
    head = getattr(model, 'bbox_head', None)
    return bool(getattr(roi_head, 'with_mask', False)) or 'Ins' in type(head).__name__


def with_masks(batch: dict) -> dict:
    """Give every detection sample box-shaped instance masks."""
    from mmdet.structures.mask import BitmapMasks
    for sample in batch['data_samples']:
        h, w = sample.metainfo['img_shape']
        boxes = sample.gt_instances.bboxes
        masks = torch.zeros(len(boxes), h, w, dtype=torch.uint8)
        for mask, (x1, y1, x2, y2) in zip(masks, boxes.int().tolist()):
            mask[y1:y2 + 1, x1:x2 + 1] = 1
        sample.gt_instances.masks = BitmapMasks(masks.numpy(), h, w)
    return batch


def train_step(model: torch.nn.Module, cfg, size: Tuple[int, int]) -> Dict[str, float]:
    """One step of the config's optimizer on a synthetic batch of two images; the log vars."""
    import copy

    from mmengine.logging import MessageHub
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import DefaultScope

    from mmkd_ext.datasets import fake_batch
    # What a Runner sets before a step; YOLOX's batch resize reads it.
    MessageHub.get_current_instance().update_info('iter', 0)
    batch = fake_batch(model.student, config_smoke.BATCH, size)
    if config_smoke.task_of(cfg) == 'det' and segments_instances(model.student):
        batch = with_masks(batch)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        wrapper_cfg = copy.deepcopy(cfg.optim_wrapper)
        # The stock learning rates are for batches of 16 to 4096 images: scaled to this batch
        # of 2, one step cannot blow the weights up (nan predictions would compare unequal).
        wrapper_cfg.optimizer.lr *= 0.01
        optim_wrapper = build_optim_wrapper(model, wrapper_cfg)
        log_vars = model.train_step(batch, optim_wrapper)
    return {k: float(v.detach()) if torch.is_tensor(v) else float(v) for k, v in log_vars.items()}


def distil_and_reload(workdir: str, family: str, method: str) -> Dict[str, float]:
    """Generate, train a step, export, reload plainly and compare predictions; the log vars."""
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    from mmkd_ext.apis.make_config import make_distill_config
    from mmkd_ext.datasets import fake_batch
    from mmkd_ext.distillers.export import student_checkpoint, student_config
    student_text, teacher_text, size = FAMILIES[family]
    student = write_config(osp.join(workdir, 'student.py'), student_text)
    teacher = write_config(osp.join(workdir, 'teacher.py'), teacher_text)
    out = osp.join(workdir, f'{method}_{family}.py')
    # Traced at 128 px, the strides 64 and 128 (a 1 x 1 map at 64 px) stay apart.
    trace_size = (128, 128) if 'mmdet' in student_text else size
    text = make_distill_config(student, teacher, method, out=out, trace_size=trace_size)
    assert len(text.splitlines()) < 40, text

    cfg = Config.fromfile(out)
    config_smoke.strip_pretrained(cfg.model)
    # Before the build: some detectors (DINO) write into their model dict when built.
    plain_cfg = osp.join(workdir, 'student_config.py')
    student_config(cfg).dump(plain_cfg)
    model = config_smoke.build(cfg)
    log_vars = train_step(model, cfg, size)
    assert config_smoke.all_finite(log_vars), log_vars
    assert any(k.startswith('distill.') for k in log_vars), log_vars

    checkpoint = osp.join(workdir, 'student.pth')
    torch.save(student_checkpoint({'meta': {}, 'state_dict': model.state_dict()}), checkpoint)
    task = config_smoke.task_of(cfg)
    plain = plain_reload(task, plain_cfg, checkpoint)
    assert 'Distiller' not in type(plain).__name__
    model.eval()
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        assert_same_predictions(task, model, plain, fake_batch(model.student, 2, size, seed=1))
    return log_vars
