"""A tiny, deterministic synthetic data set of coloured shapes for CPU demos and tests.

One call of :func:`make_toy_data` writes, under ``out_dir``::

    meta.json                       the generation arguments (used to skip re-generation)
    img_dir/{train,val}/NNNNNN.png  multi-shape images (1-3 shapes on a textured background)
    ann_dir/{train,val}/NNNNNN.png  semantic masks of the same images, uint8, 0 = background,
                                    k = ``TOY_SEG_CLASSES[k]``
    annotations/{train,val}.json    COCO-format boxes of the same images (category ids from 1)
    cls/{train,val}/<class>/NNNNNN.png
                                    single-shape images (32x32 by default) in mmpretrain's
                                    ``CustomDataset`` folder layout

Only numpy and OpenCV are needed, so the generator runs before (and without) the OpenMMLab
stack. Every image draws from its own random stream, seeded by ``(seed, split, index)``: the
output is bit-identical across runs, and image ``i`` of a split does not change when the number
of images is changed.
"""
import json
import os
import os.path as osp
import shutil
from typing import Any, Dict, List, Tuple

import cv2
import numpy as np

__all__ = ['TOY_CLASSES', 'TOY_SEG_CLASSES', 'TOY_SEG_PALETTE', 'make_toy_data']

#: Shape classes. Alphabetical on purpose: mmpretrain's ``CustomDataset`` numbers the class
#: folders in sorted order, so this order makes the label ids agree across all three tasks.
TOY_CLASSES: Tuple[str, ...] = ('circle', 'cross', 'square', 'triangle')
#: Semantic-segmentation classes: 'background' is class 0, so every pixel has a label.
TOY_SEG_CLASSES: Tuple[str, ...] = ('background', ) + TOY_CLASSES
#: Display colours (RGB) of :data:`TOY_SEG_CLASSES`.
TOY_SEG_PALETTE: List[List[int]] = [[0, 0, 0], [220, 20, 60], [0, 130, 200], [60, 180, 75],
                                    [255, 200, 0]]

# Bump when the drawing changes, so that existing outputs are regenerated rather than reused.
GENERATOR_VERSION = 2
_SUBDIRS = ('img_dir', 'ann_dir', 'annotations', 'cls')
# Largest rotation of a polygon, in degrees (see _shape_mask).
_MAX_TILT_DEG = 15.0
# Distinct random streams for the four image sets.
_STREAMS = {('det', 'train'): 0, ('det', 'val'): 1, ('cls', 'train'): 2, ('cls', 'val'): 3}


def _background(rng: np.random.Generator, size: int) -> np.ndarray:
    """A textured, mostly desaturated background (float32 HxWx3, BGR, 0..255).

    Mild textures (smooth colour blobs, a faint sinusoidal grating, pixel noise) make the task
    less trivial than flat colour. They are kept weak on purpose: with strong textures, models
    trained from scratch for a minute memorise the backgrounds instead of learning the shapes.
    """
    base = rng.uniform(70.0, 185.0) + rng.uniform(-12.0, 12.0, size=3)
    grid = rng.normal(0.0, 1.0, size=(4, 4, 3)).astype(np.float32)
    blobs = cv2.resize(grid, (size, size), interpolation=cv2.INTER_CUBIC)
    blobs *= rng.uniform(4.0, 14.0)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    theta = rng.uniform(0.0, np.pi)
    period = rng.uniform(6.0, 16.0)
    grating = np.sin((xx * np.cos(theta) + yy * np.sin(theta)) * (2.0 * np.pi / period) +
                     rng.uniform(0.0, 2.0 * np.pi))
    grating = grating[..., None] * rng.uniform(0.0, 6.0)
    noise = rng.normal(0.0, 3.0, size=(size, size, 3))
    return (base + blobs + grating + noise).astype(np.float32)


def _shape_mask(rng: np.random.Generator, cls_name: str, size: int, extent: float,
                center: Tuple[float, float]) -> np.ndarray:
    """Rasterise one filled shape of nominal width ``extent`` into a uint8 {0, 1} mask."""
    mask = np.zeros((size, size), np.uint8)
    cx, cy = center
    if cls_name == 'circle':
        cv2.circle(mask, (int(round(cx)), int(round(cy))), max(int(round(extent / 2)), 2), 1, -1)
        return mask

    def rotated(points: np.ndarray) -> np.ndarray:
        # A small tilt only: under free rotation (a square becomes a diamond, a cross an X),
        # models trained from scratch for a minute learn the classes far more slowly.
        angle = np.deg2rad(rng.uniform(-_MAX_TILT_DEG, _MAX_TILT_DEG))
        rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        return np.round(points @ rot.T + np.array([cx, cy])).astype(np.int32)

    half = extent / 2.0
    if cls_name == 'square':
        # A square of the same width looks bigger than a circle; shrink it slightly.
        h = half * 0.85
        cv2.fillPoly(mask, [rotated(np.array([[-h, -h], [h, -h], [h, h], [-h, h]]))], 1)
    elif cls_name == 'triangle':
        # Equilateral; circumradius slightly above ``half`` so its area resembles the others'.
        r = half * 1.15
        angles = np.deg2rad([-90.0, 30.0, 150.0])
        pts = np.stack([np.cos(angles) * r, np.sin(angles) * r], axis=1)
        cv2.fillPoly(mask, [rotated(pts)], 1)
    elif cls_name == 'cross':
        t = max(half * 0.36, 1.5)  # half thickness of an arm
        pts = np.array([[-t, -half], [t, -half], [t, -t], [half, -t], [half, t], [t, t],
                        [t, half], [-t, half], [-t, t], [-half, t], [-half, -t], [-t, -t]])
        cv2.fillPoly(mask, [rotated(pts)], 1)
    else:
        raise ValueError(f'unknown shape class {cls_name!r}')
    return mask


def _shape_colour(rng: np.random.Generator, bg_mean: np.ndarray) -> np.ndarray:
    """A saturated random colour (BGR) that differs clearly from the local background.

    Hue is uniform, so colour says nothing about the class: the models must learn the shape.
    """
    colour = bg_mean
    for _ in range(20):
        hsv = np.array([[[rng.integers(0, 180), rng.integers(150, 256),
                          rng.integers(120, 256)]]], np.uint8)
        colour = cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)[0, 0].astype(np.float32)
        if np.abs(colour - bg_mean).max() >= 70.0:
            break
    return colour


def _paint(rng: np.random.Generator, canvas: np.ndarray, mask: np.ndarray) -> None:
    """Paint a shape into ``canvas`` in place, with a mild shading gradient."""
    m = mask.astype(bool)
    colour = _shape_colour(rng, canvas[m].mean(axis=0))
    size = canvas.shape[0]
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    gx, gy = rng.uniform(-0.25, 0.25, size=2)
    shade = 1.0 + gx * (xx - 0.5) + gy * (yy - 0.5)
    canvas[m] = colour[None, :] * shade[m][:, None]


def _bbox_of(mask: np.ndarray) -> Tuple[int, int, int, int]:
    """Tight box ``(x0, y0, x1, y1)`` of a mask, x1/y1 exclusive (pixel-edge convention)."""
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def _touches_border(mask: np.ndarray) -> bool:
    return bool(mask[0].any() or mask[-1].any() or mask[:, 0].any() or mask[:, -1].any())


def _polygons(mask: np.ndarray) -> List[List[float]]:
    """COCO polygon(s) of a mask, so that the annotations also serve mask-based models."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    polys = []
    for c in contours:
        if len(c) >= 3:
            polys.append([float(v) for v in c.reshape(-1)])
    return polys


def _finish(canvas: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Add sensor-like noise over everything (shapes included) and quantise to uint8."""
    canvas = canvas + rng.normal(0.0, 3.0, size=canvas.shape)
    return np.clip(np.round(canvas), 0, 255).astype(np.uint8)


def _make_det_image(rng: np.random.Generator, size: int, max_shapes: int,
                    extent_range: Tuple[float, float]) -> Tuple[np.ndarray, List[Dict[str, Any]]]:
    """One multi-shape image and its objects (class index, mask, box)."""
    canvas = _background(rng, size)
    num = int(rng.integers(1, max_shapes + 1))
    objects: List[Dict[str, Any]] = []
    for _ in range(num):
        for _attempt in range(30):
            label = int(rng.integers(0, len(TOY_CLASSES)))
            extent = rng.uniform(*extent_range) * size
            # 0.62 * extent bounds the half-diagonal of every (rotated) shape: it fits inside.
            lo, hi = 0.62 * extent, size - 0.62 * extent
            center = (rng.uniform(lo, hi), rng.uniform(lo, hi))
            mask = _shape_mask(rng, TOY_CLASSES[label], size, extent, center)
            if not mask.any() or _touches_border(mask):
                continue
            box = _bbox_of(mask)
            # Boxes must not overlap (with a 2 px gap): no occlusion, so each box is tight on
            # the visible shape and the semantic mask has no ambiguous pixels.
            if any(box[0] < o['box'][2] + 2 and o['box'][0] < box[2] + 2 and
                   box[1] < o['box'][3] + 2 and o['box'][1] < box[3] + 2 for o in objects):
                continue
            objects.append(dict(label=label, mask=mask, box=box))
            break
    for obj in objects:
        _paint(rng, canvas, obj['mask'])
    return _finish(canvas, rng), objects


def _make_cls_image(rng: np.random.Generator, size: int, label: int,
                    extent_range: Tuple[float, float]) -> np.ndarray:
    """One image holding a single, large shape of class ``label``."""
    canvas = _background(rng, size)
    mask = None
    for _attempt in range(30):
        extent = rng.uniform(*extent_range) * size
        lo, hi = 0.62 * extent, size - 0.62 * extent
        center = (rng.uniform(lo, hi), rng.uniform(lo, hi))
        mask = _shape_mask(rng, TOY_CLASSES[label], size, extent, center)
        if mask.any() and not _touches_border(mask):
            break
    assert mask is not None
    _paint(rng, canvas, mask)
    return _finish(canvas, rng)


def _write_png(path: str, img: np.ndarray) -> None:
    if not cv2.imwrite(path, img):
        raise IOError(f'could not write {path}')


def _generate_det_split(out_dir: str, split: str, num: int, size: int, seed: int,
                        max_shapes: int) -> Dict[str, int]:
    img_dir = osp.join(out_dir, 'img_dir', split)
    ann_dir = osp.join(out_dir, 'ann_dir', split)
    os.makedirs(img_dir, exist_ok=True)
    os.makedirs(ann_dir, exist_ok=True)
    images, annotations = [], []
    for i in range(num):
        rng = np.random.default_rng([seed, _STREAMS[('det', split)], i])
        img, objects = _make_det_image(rng, size, max_shapes, (0.2, 0.45))
        name = f'{i:06d}.png'
        sem = np.zeros((size, size), np.uint8)
        for obj in objects:
            sem[obj['mask'].astype(bool)] = obj['label'] + 1
            x0, y0, x1, y1 = obj['box']
            annotations.append(
                dict(id=len(annotations) + 1,  # COCO ids from 1: 0 is treated as "none" in places
                     image_id=i + 1,
                     category_id=obj['label'] + 1,
                     bbox=[float(x0), float(y0), float(x1 - x0), float(y1 - y0)],
                     area=float(obj['mask'].sum()),
                     segmentation=_polygons(obj['mask']),
                     iscrowd=0))
        _write_png(osp.join(img_dir, name), img)
        _write_png(osp.join(ann_dir, name), sem)
        images.append(dict(id=i + 1, file_name=name, width=size, height=size))
    coco = dict(
        info=dict(description=f'mmkd_ext toy shapes, {split}', version=str(GENERATOR_VERSION)),
        licenses=[],
        images=images,
        annotations=annotations,
        categories=[
            dict(id=k + 1, name=c, supercategory='shape') for k, c in enumerate(TOY_CLASSES)
        ])
    os.makedirs(osp.join(out_dir, 'annotations'), exist_ok=True)
    with open(osp.join(out_dir, 'annotations', f'{split}.json'), 'w') as f:
        json.dump(coco, f)
    return dict(images=len(images), objects=len(annotations))


def _generate_cls_split(out_dir: str, split: str, num: int, size: int, seed: int) -> int:
    for c in TOY_CLASSES:
        # Every class folder exists even when ``num`` is tiny, so the class list never shrinks.
        os.makedirs(osp.join(out_dir, 'cls', split, c), exist_ok=True)
    for i in range(num):
        rng = np.random.default_rng([seed, _STREAMS[('cls', split)], i])
        label = i % len(TOY_CLASSES)  # balanced classes
        img = _make_cls_image(rng, size, label, (0.35, 0.7))
        _write_png(osp.join(out_dir, 'cls', split, TOY_CLASSES[label], f'{i:06d}.png'), img)
    return num


def _expected_files_exist(out_dir: str, meta: Dict[str, Any]) -> bool:
    """Cheap completeness check of an existing output (first and last file of every set)."""
    paths = [osp.join(out_dir, 'annotations', f'{s}.json') for s in ('train', 'val')]
    for split in ('train', 'val'):
        n = meta[f'num_{split}']
        for i in {0, n - 1} if n else ():
            paths += [osp.join(out_dir, d, split, f'{i:06d}.png') for d in ('img_dir', 'ann_dir')]
        n = meta[f'num_cls_{split}']
        for i in {0, n - 1} if n else ():
            paths.append(
                osp.join(out_dir, 'cls', split, TOY_CLASSES[i % len(TOY_CLASSES)], f'{i:06d}.png'))
    return all(osp.isfile(p) for p in paths)


def make_toy_data(out_dir: str = 'data/toy',
                  num_train: int = 400,
                  num_val: int = 300,
                  size: int = 64,
                  seed: int = 0,
                  num_cls_train: int = 3000,
                  num_cls_val: int = 1000,
                  cls_size: int = 32,
                  max_shapes: int = 3,
                  force: bool = False,
                  verbose: bool = True) -> Dict[str, Any]:
    """Generate the toy data set (see the module docstring for the layout).

    Args:
        out_dir: Output folder; created if missing.
        num_train: Number of multi-shape training images (detection and segmentation).
        num_val: Number of multi-shape validation images.
        size: Width and height of every image, in pixels (at least 32).
        seed: Base random seed.
        num_cls_train: Number of single-shape training images for classification. Many
            small images: a classifier trained from scratch for a few hundred iterations
            memorises a few hundred images instead of learning the shapes.
        num_cls_val: Number of single-shape validation images.
        cls_size: Width and height of the single-shape images. 32 px keeps the many images
            cheap to generate, load and train on; the shapes are still 11-22 px wide.
        max_shapes: Most shapes in one multi-shape image (at least 1).
        force: Regenerate even when ``meta.json`` matches the arguments.
        verbose: Print what was done.

    Returns:
        dict: ``root`` (the output folder), ``skipped`` (True when an existing, matching output
        was reused), ``meta`` (the generation arguments) and ``counts`` (only when generated).
    """
    if min(size, cls_size) < 32:
        raise ValueError(f'image sizes must be >= 32, got {size} and {cls_size}')
    if max_shapes < 1 or min(num_train, num_val, num_cls_train, num_cls_val) < 0:
        raise ValueError('max_shapes must be >= 1 and image counts >= 0')
    meta = dict(
        generator_version=GENERATOR_VERSION,
        num_train=int(num_train),
        num_val=int(num_val),
        num_cls_train=int(num_cls_train),
        num_cls_val=int(num_cls_val),
        size=int(size),
        cls_size=int(cls_size),
        seed=int(seed),
        max_shapes=int(max_shapes),
        classes=list(TOY_CLASSES))
    meta_path = osp.join(out_dir, 'meta.json')
    if not force and osp.isfile(meta_path):
        try:
            with open(meta_path) as f:
                old = json.load(f)
        except (OSError, ValueError):
            old = None
        if old == meta and _expected_files_exist(out_dir, meta):
            if verbose:
                print(f'[make_toy_data] {osp.abspath(out_dir)} is up to date; nothing to do')
            return dict(root=out_dir, skipped=True, meta=meta)

    # Remove only what this generator writes (never the whole folder: it may hold other files),
    # so that no stale image from a larger earlier run survives. meta.json goes first and is
    # written last: an interrupted run is never mistaken for a complete one.
    if osp.isfile(meta_path):
        os.remove(meta_path)
    for sub in _SUBDIRS:
        if osp.isdir(osp.join(out_dir, sub)):
            shutil.rmtree(osp.join(out_dir, sub))
    os.makedirs(out_dir, exist_ok=True)

    counts = dict(
        det_train=_generate_det_split(out_dir, 'train', meta['num_train'], size, seed, max_shapes),
        det_val=_generate_det_split(out_dir, 'val', meta['num_val'], size, seed, max_shapes),
        cls_train=_generate_cls_split(out_dir, 'train', meta['num_cls_train'], cls_size, seed),
        cls_val=_generate_cls_split(out_dir, 'val', meta['num_cls_val'], cls_size, seed))
    with open(meta_path, 'w') as f:
        json.dump(meta, f, indent=2, sort_keys=True)
        f.write('\n')
    if verbose:
        root = osp.abspath(out_dir)
        print(f'[make_toy_data] wrote {root}:\n'
              f'  img_dir/, ann_dir/    {counts["det_train"]["images"]} train / '
              f'{counts["det_val"]["images"]} val images ({size}x{size}) + semantic masks\n'
              f'  annotations/*.json    {counts["det_train"]["objects"]} train / '
              f'{counts["det_val"]["objects"]} val boxes (COCO)\n'
              f'  cls/{{train,val}}/<class>/ {counts["cls_train"]} train / {counts["cls_val"]} val '
              f'single-shape images ({cls_size}x{cls_size})')
    return dict(root=out_dir, skipped=False, meta=meta, counts=counts)
