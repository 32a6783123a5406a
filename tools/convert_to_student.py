"""Convert a distiller checkpoint into a plain student checkpoint (and config).

    python tools/convert_to_student.py CHECKPOINT [OUT] [--config DISTILL_CONFIG --out-config OUT.py]

The result loads with mmdet's ``init_detector``, mmseg's ``init_model`` or an mmpretrain model
plus ``load_checkpoint``, without mmkd_ext.
"""
import argparse
import os.path as osp

import mmkd_ext  # noqa: F401  (allow-lists checkpoint types for weights_only loading)
from mmkd_ext.apis import load_config
from mmkd_ext.distillers.export import export_student, student_config
from mmkd_ext.utils.errors import run_tool_main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Export the student of a distiller checkpoint')
    parser.add_argument('checkpoint', help='distiller checkpoint (e.g. work_dirs/x/iter_300.pth)')
    parser.add_argument('out', nargs='?', help='output file (default: <checkpoint>_student.pth)')
    parser.add_argument('--config', help='the distillation config, to also write the student config')
    parser.add_argument('--out-config', help='where to write the student config '
                        '(default: beside the output, student_config.py)')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    out = export_student(args.checkpoint, args.out)
    print(f'student checkpoint: {out}')
    if args.config:
        out_config = args.out_config or osp.join(osp.dirname(osp.abspath(out)), 'student_config.py')
        student_config(load_config(args.config, what='--config')).dump(out_config)
        print(f'student config: {out_config}')


if __name__ == '__main__':
    run_tool_main(main)
