"""Compare trained students with their teacher on the validation split.

    python tools/analyze.py CONFIG CHECKPOINT [CHECKPOINT2 ...] [--labels a b ...]
                            [--max-samples N] [--out-dir DIR] [--random-teacher]
                            [--cfg-options k=v ...]

Every checkpoint is first checked against the config's student (a file of another architecture
is named before anything is analysed). For every checkpoint (a distiller checkpoint or a plain
student checkpoint, e.g. the exported
``*_student.pth`` of a baseline run beside a distilled one) and every distillation point of CONFIG:
linear CKA between the student's and the teacher's recorded features and the per-sample feature
norms ‖s‖ vs ‖t‖ (features global-average-pooled to one vector per sample); for classifiers also
top-1 accuracy and the expected calibration error (15 equal-width bins). Writes
``DIR/report.json`` and ``cka.png``, ``feature_norms.png``, ``reliability.png`` (classifiers);
DIR defaults to ``work_dirs/analysis/<config name>``.
"""
import argparse
import os.path as osp

from mmengine.config import DictAction
from mmengine.runner import Runner

import mmkd_ext  # noqa: F401
from mmkd_ext.analysis.report import analyze_checkpoints
from mmkd_ext.apis import build_model, load_distill_config
from mmkd_ext.apis.validate import check_datasets
from mmkd_ext.utils.errors import run_tool_main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='CKA, feature norms and calibration of students')
    parser.add_argument('config', help='distillation config')
    parser.add_argument('checkpoints', nargs='+', help='distiller or plain student checkpoints')
    parser.add_argument('--labels', nargs='+', help='one label per checkpoint (default: file names)')
    parser.add_argument('--max-samples', type=int, help='analyse at most N validation samples')
    parser.add_argument('--out-dir', help='default: work_dirs/analysis/<config name>')
    parser.add_argument('--bins', type=int, default=15, help='ECE bins')
    parser.add_argument('--num-workers', type=int, help='dataloader workers (default: the config)')
    parser.add_argument('--random-teacher', action='store_true',
                        help='do not load the teacher checkpoint (smoke tests only)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    if args.labels and len(args.labels) != len(args.checkpoints):
        parser.error(f'--labels needs one label per checkpoint ({len(args.checkpoints)})')
    return args


def default_labels(checkpoints: list) -> list:
    """File names without extension; the parent folder is added where they would collide."""
    names = [osp.splitext(osp.basename(c))[0] for c in checkpoints]
    return [f'{osp.basename(osp.dirname(c))}/{n}' if names.count(n) > 1 else n
            for c, n in zip(checkpoints, names)]


def main() -> None:
    args = parse_args()
    cfg = load_distill_config(args.config, args.cfg_options, args.random_teacher)
    check_datasets(cfg, ('val_dataloader', ))
    distiller = build_model(cfg)
    loader_cfg = cfg.val_dataloader.copy()
    if args.num_workers is not None:
        loader_cfg.num_workers = args.num_workers
        loader_cfg.persistent_workers = args.num_workers > 0 and loader_cfg.get(
            'persistent_workers', False)
    loader = Runner.build_dataloader(loader_cfg)
    out_dir = args.out_dir or osp.join('work_dirs', 'analysis',
                                       osp.splitext(osp.basename(args.config))[0])
    report = analyze_checkpoints(distiller, loader, args.checkpoints,
                                 args.labels or default_labels(args.checkpoints), out_dir,
                                 args.max_samples, args.bins)
    for result in report['checkpoints']:
        line = [f'{result["label"]}: {result["num_samples"]} samples']
        if 'top1' in result:
            line.append(f'top-1 {result["top1"]:.4f}, ECE {result["ece"]:.4f}')
        line += [f'{name} CKA {p["cka"]:.3f} (‖s‖ {p["student_norm_mean"]:.2f} vs ‖t‖ '
                 f'{p["teacher_norm_mean"]:.2f})' for name, p in result['points'].items()]
        line += [f'{name}: skipped ({error})' for name, error in result['point_errors'].items()]
        print('; '.join(line))
    print(f'report: {osp.join(out_dir, "report.json")}; plots: {", ".join(report["plots"])}')


if __name__ == '__main__':
    run_tool_main(main)
