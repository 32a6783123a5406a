"""Train a config for a few iterations and log each loss term's gradient norm per iteration.

    python tools/misc/loss_term_grads.py CONFIG [--iters 60] [--modules neck head.fc]
                                        [--work-dir DIR] [--cfg-options k=v ...]

The run is the config's own (same optimiser, clipping, hooks and seed), cut to ``--iters``
iterations without validation. ``<work_dir>/loss_terms.csv`` gets a row per iteration: every loss
term, the L2 norm of its own gradient (``grad_norm/<term>``, and ``grad_norm/total``, the norm the
optimiser clips), and for each ``--modules`` entry the output's norm, share of zeros, batch spread
and (2-D outputs) spread across channels (see mmkd_ext.hooks.LossTermGradHook).
"""
import argparse

from mmengine.runner import Runner

import mmkd_ext  # noqa: F401
from mmkd_ext.apis import add_runtime_args, load_cli_config, parse_runtime_args, prepare_train_config
from mmkd_ext.hooks import LossTermGradHook
from mmkd_ext.utils.errors import run_tool_main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='training config (distiller or plain model)')
    parser.add_argument('--iters', type=int, default=60, help='iterations to train and log')
    parser.add_argument('--modules', nargs='*', default=(),
                        help='student modules whose outputs are summarised, e.g. neck head.fc')
    parser.add_argument('--work-dir', help='default: work_dirs/loss_terms/<config name>')
    add_runtime_args(parser)
    return parse_runtime_args(parser)


def main() -> None:
    args = parse_args()
    cfg, work_dir = load_cli_config(args)
    if not args.work_dir:
        work_dir = work_dir.replace('work_dirs', 'work_dirs/loss_terms', 1)
    cfg.train_cfg.max_iters = args.iters
    cfg.train_cfg.val_interval = args.iters + 1  # no validation
    cfg.pop('val_dataloader', None), cfg.pop('val_cfg', None), cfg.pop('val_evaluator', None)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=10**9, save_last=False)
    prepare_train_config(cfg, work_dir=work_dir)
    runner = Runner.from_cfg(cfg)
    runner.register_hook(LossTermGradHook(modules=args.modules))
    runner.train()
    print(f'[loss_term_grads] {work_dir}/loss_terms.csv')


if __name__ == '__main__':
    run_tool_main(main)
