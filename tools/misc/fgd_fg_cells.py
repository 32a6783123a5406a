"""How much the choice of foreground cells changes FGDFeatureLoss's foreground term, per FPN level.

    python tools/misc/fgd_fg_cells.py CONFIG [--student-checkpoint CKPT] [--max-batches N]
                                             [--random-teacher] [--cfg-options k=v ...]

CONFIG is a detection distillation config whose points record FPN levels (``neck[i]`` on both
sides), e.g. configs/diffkd/diffkd-fgd_faster-rcnn_r101-r50_fpn_2x_coco.py or a toy config. On
the batches of its *training* loader (the boxes follow the resize there), the teacher's FPN
features and the student's (raw: the connectors are not applied) give FGDFeatureLoss's foreground
term (α = 1, β = 0) under ``fg_cells='covered'`` (the paper: the cells a box covers) and
``'floor_ceil'`` (the official FGD code: floor(x1) … ceil(x2) inclusive), for ``fg_norm='image'``
and ``'box'``. Printed per level: the stride, the mean number of foreground cells per image and
the relative change of the foreground term, floor_ceil / covered − 1, summed over the batches.
"""
import argparse
import re
from collections import defaultdict
from typing import Dict, List, Tuple

import torch
from mmengine.config import Config, DictAction
from mmengine.runner import Runner, load_checkpoint, set_random_seed

import mmkd_ext  # noqa: F401
from mmkd_ext.apis import build_model, load_distill_config
from mmkd_ext.losses.fgd_loss import FG_CELLS, FG_NORMS, FGDFeatureLoss

LEVEL_RE = re.compile(r'^neck\[(\d+)\]$')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='detection distillation config with neck[i] points')
    parser.add_argument('--student-checkpoint', help='trained student (plain or distiller)')
    parser.add_argument('--max-batches', type=int, default=10)
    parser.add_argument('--random-teacher', action='store_true',
                        help='do not load the teacher checkpoint (smoke tests only)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args()


def fpn_levels(cfg: Config) -> List[int]:
    """The FPN levels (``i`` of ``neck[i]``) recorded on both sides by some point."""
    levels = set()
    for point in cfg.model.distill_points.values():
        s, t = LEVEL_RE.match(str(point.student)), LEVEL_RE.match(str(point.teacher))
        if s and t and s.group(1) == t.group(1):
            levels.add(int(s.group(1)))
    if not levels:
        raise ValueError('The config has no point recording neck[i] on both sides.')
    return sorted(levels)


def foreground_terms(student: torch.Tensor, teacher: torch.Tensor, data_samples: list
                     ) -> Dict[Tuple[str, str], Tuple[float, float]]:
    """``{(fg_norm, fg_cells): (foreground term, foreground cells per image)}`` of one level."""
    out = {}
    for norm in FG_NORMS:
        for cells in FG_CELLS:
            loss = FGDFeatureLoss(alpha=1.0, beta=0.0, fg_norm=norm, fg_cells=cells)
            w_fg, _ = loss.region_weights(data_samples, *student.shape[2:], student.device)
            term = loss.compute(student, teacher, data_samples).item()
            out[norm, cells] = (term, (w_fg > 0).sum().item() / len(data_samples))
    return out


def main() -> None:
    args = parse_args()
    cfg = load_distill_config(args.config, args.cfg_options, args.random_teacher)
    set_random_seed(0)  # the training pipeline flips at random
    levels = fpn_levels(cfg)
    distiller = build_model(cfg).eval()
    if args.student_checkpoint:
        load_checkpoint(distiller, args.student_checkpoint, map_location='cpu')
    loader_cfg = cfg.train_dataloader.copy()
    loader_cfg.sampler = dict(type='DefaultSampler', shuffle=False)
    loader_cfg.pop('batch_sampler', None)
    loader = Runner.build_dataloader(loader_cfg, seed=0)

    sums: Dict[int, Dict] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
    strides = {}
    with torch.no_grad():
        for i, batch in enumerate(loader):
            if i >= args.max_batches:
                break
            data = distiller.data_preprocessor(batch, True)
            inputs, samples = data['inputs'], data['data_samples']
            student = distiller.student.extract_feat(inputs)
            records = distiller.teacher.record(inputs, samples)
            for level in levels:
                s, t = student[level].float(), records.get('neck', (level, )).float()
                strides[level] = inputs.shape[-1] // s.shape[-1]
                for key, (term, cells) in foreground_terms(s, t, samples).items():
                    sums[level][key][0] += term
                    sums[level][key][1] += cells
    print('level    stride  fg cells/img covered -> floor_ceil  '
          "change of the fg term: fg_norm='image'  fg_norm='box'")
    for level in levels:
        row = sums[level]
        n = min(args.max_batches, len(loader))
        covered, wider = row['image', 'covered'][1] / n, row['image', 'floor_ceil'][1] / n
        change = {norm: row[norm, 'floor_ceil'][0] / row[norm, 'covered'][0] - 1
                  for norm in FG_NORMS}
        print(f'neck[{level}]  {strides[level]:>6d}  {covered:>10.1f} -> {wider:<10.1f}  '
              f"{change['image']:>+29.1%}  {change['box']:>+13.1%}")


if __name__ == '__main__':
    main()
