"""Write the distillation config of any student / teacher pair and method.

    python tools/make_config.py --student CFG --teacher CFG --method METHOD
                                [--teacher-checkpoint PATH_OR_URL] [--out FILE] [--size H W]

CFG is ``mmdet::...``, ``mmseg::...``, ``mmpretrain::...``, ``mmkd_ext::...`` (this repository's
configs/) or a local path; METHOD one of kd, dkd, dist, mse, cwd, diffkd, diffkd-fgd, pefd, nd.
Both models are built with random weights and traced on one synthetic batch; the points follow
the pairing rule of docs/distil_your_own_pair.md. Without ``--out`` the config is printed.
"""
import argparse

import mmkd_ext  # noqa: F401  (registers components)
from mmkd_ext.apis.make_config import add_pair_args, make_distill_config
from mmkd_ext.utils.errors import run_tool_main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Generate a distillation config for a pair')
    add_pair_args(parser, required=True)
    parser.add_argument('--out', help='write the config here (default: print it)')
    parser.add_argument('--size', type=int, nargs=2, metavar=('H', 'W'),
                        help='image size of the synthetic trace batch (default per task)')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    text = make_distill_config(args.student, args.teacher, args.method, args.teacher_checkpoint,
                               out=args.out, trace_size=tuple(args.size) if args.size else None)
    print(f'Wrote {args.out}' if args.out else text, end='\n' if args.out else '')


if __name__ == '__main__':
    run_tool_main(main)
