"""Time a distillation config: plain student step, teacher forward, distilled step, and ratios.

    python tools/benchmark.py CONFIG [--iters 5] [--warmup 2] [--batch-size 2] [--size 512 512]
                                     [--random-teacher] [--cfg-options k=v ...]

Batches are synthetic (random images with random ground truth of the right kind), so no data set
is needed. Prints seconds per step and the ratio distilled / (student + teacher forward): the
plumbing overhead of distillation on top of the work it has to do. Also prints the extra
parameters of the distillation parts (connectors and losses).
"""
import argparse
import copy
import time
from typing import Callable, Dict

import torch
from mmengine.config import Config, DictAction
from mmengine.optim import build_optim_wrapper
from mmengine.registry import MODELS, init_default_scope

import mmkd_ext  # noqa: F401
from mmkd_ext.utils.fake_data import fake_batch


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Benchmark a distillation config')
    parser.add_argument('config')
    parser.add_argument('--iters', type=int, default=5, help='timed iterations')
    parser.add_argument('--warmup', type=int, default=2, help='untimed iterations first')
    parser.add_argument('--batch-size', type=int, default=2)
    parser.add_argument('--size', type=int, nargs=2, default=[224, 224], metavar=('H', 'W'))
    parser.add_argument('--random-teacher', action='store_true',
                        help='do not load the teacher checkpoint (timing only)')
    parser.add_argument('--threads', type=int, default=None, help='torch CPU threads')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args()


def timed(step: Callable[[], None], iters: int, warmup: int) -> float:
    """Median seconds of ``step`` over ``iters`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(iters):
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        start = time.perf_counter()
        step()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def main() -> None:
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if args.random_teacher:
        cfg.model.teacher.checkpoint = None
    init_default_scope(cfg.get('default_scope', 'mmengine'))
    device = 'cuda' if torch.cuda.is_available() else 'cpu'

    distiller = MODELS.build(cfg.model).to(device).train()
    plain = copy.deepcopy(distiller.student)  # same weights, no hooks that record anything
    optim_cfg = copy.deepcopy(cfg.optim_wrapper)
    distill_optim = build_optim_wrapper(distiller, optim_cfg)
    plain_optim = build_optim_wrapper(plain, copy.deepcopy(cfg.optim_wrapper))
    batch = fake_batch(distiller.student, args.batch_size, tuple(args.size))
    data = distiller.data_preprocessor(copy.deepcopy(batch), True)

    def student_step() -> None:
        plain.train_step(copy.deepcopy(batch), plain_optim)

    def teacher_forward() -> None:
        distiller.teacher.record(data['inputs'], data['data_samples'])

    def distilled_step() -> None:
        distiller.train_step(copy.deepcopy(batch), distill_optim)

    results: Dict[str, float] = {
        'student step': timed(student_step, args.iters, args.warmup),
        'teacher forward': timed(teacher_forward, args.iters, args.warmup),
        'distilled step': timed(distilled_step, args.iters, args.warmup),
    }
    extra = sum(p.numel() for p in distiller.points.parameters())
    student_params = sum(p.numel() for p in distiller.student.parameters())
    teacher_params = sum(p.numel() for p in distiller.teacher.parameters())
    print(f'config: {args.config}')
    print(f'device: {device}, batch {args.batch_size} x {args.size[0]}x{args.size[1]}, '
          f'median of {args.iters} iterations after {args.warmup} warm-up')
    for name, seconds in results.items():
        print(f'{name:>16}: {seconds * 1000:9.1f} ms')
    expected = results['student step'] + results['teacher forward']
    print(f'{"ratio":>16}: distilled / (student + teacher forward) = '
          f'{results["distilled step"] / expected:.3f}')
    print(f'{"ratio":>16}: distilled / student = '
          f'{results["distilled step"] / results["student step"]:.3f}')
    print(f'{"parameters":>16}: student {student_params / 1e6:.2f} M, teacher '
          f'{teacher_params / 1e6:.2f} M, distillation parts {extra / 1e6:.3f} M')


if __name__ == '__main__':
    main()
