"""Compute the teacher class means of a distillation config's ND losses and write their files.

    python tools/compute_class_means.py CONFIG [--out FILE] [--max-iters N] [--allow-missing]
                                               [--device cpu|cuda] [--cfg-options k=v ...]
    torchrun --nproc_per_node 8 tools/compute_class_means.py CONFIG --launcher pytorch

The teacher (``model.teacher`` of the config, loaded from its checkpoint) runs in eval mode over the
training split WITH its training augmentation; per class, the mean of its embedding is written to
the file the config's ``NDLoss(class_means=...)`` names (or ``--out``), together with the teacher's
digest, config, checkpoint and the layer, so that a run with another teacher refuses the file.
Classification: the teacher's globally pooled penultimate feature (the ND point's teacher record).
Faster R-CNN (``RoIDistiller``): the teacher's shared-FC embeddings of its own sampled RoIs, with
K + 1 classes (background = K). Existing files are overwritten. The ``ClassMeansHook`` of the ND
configs does the same before training when the file is missing.
"""
import argparse

import torch
from mmengine.dist import is_main_process
from mmengine.registry import init_default_scope

import mmkd_ext  # noqa: F401  (registers the distillers, losses and hooks)
from mmkd_ext.apis import (add_runtime_args, build_model, init_distributed, load_cli_config,
                           parse_runtime_args)
from mmkd_ext.apis.validate import check_datasets
from mmkd_ext.nd import (build_class_means_dataloader, find_nd_targets, teacher_identity,
                         write_class_means)
from mmkd_ext.utils.errors import run_tool_main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Compute the ND teacher class means of a config')
    parser.add_argument('config', help='distillation config with an NDLoss')
    parser.add_argument('--out', help='write here instead of the NDLoss class_means path (only for '
                        'a config with a single ND loss)')
    parser.add_argument('--max-iters', type=int, default=None,
                        help='use only N batches per process (partial means, for quick checks)')
    parser.add_argument('--allow-missing', action='store_true',
                        help='store zero means for classes that never occur instead of failing')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    add_runtime_args(parser, 'override config settings, e.g. model.teacher.checkpoint=PATH')
    return parse_runtime_args(parser)


def lazy_nd_losses(cfg) -> None:
    """Set ``lazy_load=True`` on every NDLoss of ``cfg``: a stale file must not stop its rewrite."""
    if isinstance(cfg, dict):
        if str(cfg.get('type', '')).split('.')[-1] == 'NDLoss':
            cfg['lazy_load'] = True
        for value in cfg.values():
            lazy_nd_losses(value)
    elif isinstance(cfg, (list, tuple)):
        for value in cfg:
            lazy_nd_losses(value)


def main() -> None:
    args = parse_args()
    cfg, _ = load_cli_config(args)
    check_datasets(cfg, ('train_dataloader', ))
    init_distributed(args.launcher)
    init_default_scope(cfg.get('default_scope', 'mmengine'))
    lazy_nd_losses(cfg.model)
    distiller = build_model(cfg, args.device)

    targets = find_nd_targets(distiller)
    if not targets:
        raise SystemExit(f'{args.config} has no ND loss (NDLoss point or RoIDistiller roi_nd).')
    if args.out:
        if len(targets) != 1:
            raise SystemExit(f'--out needs a config with one ND loss; this one has '
                             f'{[t.name for t in targets]}.')
        targets[0].loss.class_means_path = args.out
    missing_path = [t.name for t in targets if t.loss.class_means_path is None]
    if missing_path:
        raise SystemExit(f'ND losses {missing_path} name no class_means file; pass --out.')

    identity = teacher_identity(distiller, cfg.model.teacher)
    # A partial pass (--max-iters) shuffles: a split stored class by class would show it only
    # the first classes.
    loader = build_class_means_dataloader(cfg.train_dataloader,
                                          seed=cfg.get('randomness', {}).get('seed'),
                                          shuffle=args.max_iters is not None)
    written = write_class_means(distiller, loader, targets, identity, max_iters=args.max_iters,
                                allow_missing=args.allow_missing)
    if not is_main_process():
        return
    for target in targets:
        means = written[target.name]
        print(f'{target.name}: {tuple(means.shape)} class means of teacher layer "{target.layer}" '
              f'-> {target.loss.class_means_path} (teacher digest {identity["teacher_digest"]})')


if __name__ == '__main__':
    run_tool_main(main)
