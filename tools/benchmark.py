"""Time a distillation config: plain student step, teacher forward, distilled step, and ratios.

    python tools/benchmark.py CONFIG [--iters 5] [--warmup 2] [--batch-size 2] [--size 512 512]
                                     [--random-teacher] [--threads N] [--clock {wall,cpu}]
                                     [--per-point] [--steps-only] [--json FILE]
                                     [--cfg-options k=v ...]

Batches are synthetic (random images with random ground truth of the right kind), so no data set
is needed. Prints seconds per step, the time of the distillation points alone (connectors and
losses: forward + backward on features of the recorded shapes, and the optimizer update of their
parameters; DiffKD's denoiser is most of it) and the ratio distilled / (student + teacher forward
+ points): the plumbing overhead of distillation on top of the work it has to do. Also prints the
extra parameters of the distillation parts (connectors and losses).
"""
import argparse
import copy
import json
import time
from typing import Callable, Dict, List, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.config import DictAction
from mmengine.optim import OptimWrapper, build_optim_wrapper

import mmkd_ext  # noqa: F401
from mmkd_ext.apis import build_model, load_distill_config
from mmkd_ext.datasets import fake_batch
from mmkd_ext.nd import use_placeholder_class_means
from mmkd_ext.utils.errors import run_tool_main


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
    parser.add_argument('--clock', choices=['wall', 'cpu'], default='wall',
                        help='wall time, or the process CPU time (user + system): on a shared CPU '
                        'machine, with --threads 1, the work done, whatever else runs beside it')
    parser.add_argument('--per-point', action='store_true',
                        help='also time every distillation point alone (forward, backward, update)')
    parser.add_argument('--steps-only', action='store_true',
                        help='time only the plain student step and the distilled step')
    parser.add_argument('--json', metavar='FILE',
                        help='also write the timings (seconds) and the settings to FILE')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args()


def timed(step: Callable[[], None], iters: int, warmup: int,
          clock: Callable[[], float] = time.perf_counter) -> float:
    """Median seconds of ``step`` over ``iters`` runs after ``warmup`` runs, read on ``clock``."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(iters):
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        start = clock()
        step()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        times.append(clock() - start)
    return sorted(times)[len(times) // 2]


Features = Dict[str, Tuple[torch.Tensor, torch.Tensor]]


def recorded_features(distiller: nn.Module, data: dict) -> Features:
    """Each point's recorded ``(student, teacher)`` features of one distilled forward, detached."""
    with torch.no_grad():
        distiller.loss(data['inputs'], data['data_samples'])
    teacher_records = distiller.teacher.recorders
    return {
        name: (distiller.student_recorders.get(p.student_module, p.student_index).detach().clone(),
               teacher_records.get(p.teacher_module, p.teacher_index).detach().clone())
        for name, p in distiller.points.items()
    }


def points_step(distiller: nn.Module, features: Features, data_samples: List, names: List[str],
                optim_wrapper: Optional[OptimWrapper] = None) -> None:
    """Forward + backward of the named points alone, as the distilled step runs them, and the
    optimizer update of their parameters when ``optim_wrapper`` (over ``distiller.points``) is
    given (``None`` when the points have no parameters): all the work the points add to a
    training step."""
    for param in distiller.points.parameters():
        param.grad = None
    total = 0.0
    for name in names:
        student, teacher = features[name]
        # A leaf that wants a gradient: the backward then reaches the student side as in training.
        student = student.detach().requires_grad_(True)
        losses = distiller.points[name](student, teacher, data_samples)
        total = total + sum(losses.values())
    total.backward()
    if optim_wrapper is not None:
        optim_wrapper.step()


def main() -> None:
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    cfg = load_distill_config(args.config, args.cfg_options, args.random_teacher)
    device = 'cuda' if torch.cuda.is_available() else 'cpu'

    distiller = build_model(cfg, device).train()
    plain = copy.deepcopy(distiller.student)  # same weights, no hooks that record anything
    optim_cfg = copy.deepcopy(cfg.optim_wrapper)
    distill_optim = build_optim_wrapper(distiller, optim_cfg)
    plain_optim = build_optim_wrapper(plain, copy.deepcopy(cfg.optim_wrapper))
    # Identity connectors and parameter-free losses leave the points nothing to optimise.
    has_params = any(p.requires_grad for p in distiller.points.parameters())
    points_optim = build_optim_wrapper(distiller.points, copy.deepcopy(cfg.optim_wrapper)) \
        if has_params else None
    batch = fake_batch(distiller.student, args.batch_size, tuple(args.size))
    data = distiller.data_preprocessor(copy.deepcopy(batch), True)
    if args.random_teacher:
        # The trained teacher's class means would not fit a random one; timing needs none.
        use_placeholder_class_means(distiller, data['inputs'], data['data_samples'])

    def student_step() -> None:
        plain.train_step(copy.deepcopy(batch), plain_optim)

    def teacher_forward() -> None:
        distiller.teacher.record(data['inputs'], data['data_samples'])

    def distilled_step() -> None:
        distiller.train_step(copy.deepcopy(batch), distill_optim)

    point_names = list(distiller.points)
    samples = data['data_samples']
    clock = time.process_time if args.clock == 'cpu' else time.perf_counter
    results: Dict[str, float] = {'student step': timed(student_step, args.iters, args.warmup,
                                                       clock)}
    if not args.steps_only:
        features = recorded_features(distiller, data)
        results['teacher forward'] = timed(teacher_forward, args.iters, args.warmup, clock)
        results['points alone'] = timed(
            lambda: points_step(distiller, features, samples, point_names, points_optim),
            args.iters, args.warmup, clock)
    results['distilled step'] = timed(distilled_step, args.iters, args.warmup, clock)
    per_point = {
        name: timed(
            lambda names=[name]: points_step(distiller, features, samples, names, points_optim),
            args.iters, args.warmup, clock)
        for name in point_names
    } if args.per_point and not args.steps_only else {}
    extra = sum(p.numel() for p in distiller.points.parameters())
    student_params = sum(p.numel() for p in distiller.student.parameters())
    teacher_params = sum(p.numel() for p in distiller.teacher.parameters())
    print(f'config: {args.config}')
    print(f'device: {device}, {torch.get_num_threads()} CPU threads, batch {args.batch_size} x '
          f'{args.size[0]}x{args.size[1]}, median {args.clock} time of {args.iters} iterations '
          f'after {args.warmup} warm-up')
    for name, seconds in results.items():
        print(f'{name:>16}: {seconds * 1000:9.1f} ms')
    for name, seconds in per_point.items():
        student, teacher = features[name]
        print(f'{"point " + name:>16}: {seconds * 1000:9.1f} ms  (student {tuple(student.shape)}, '
              f'teacher {tuple(teacher.shape)})')
    if not args.steps_only:
        expected = results['student step'] + results['teacher forward']
        print(f'{"ratio":>16}: distilled / (student + teacher forward) = '
              f'{results["distilled step"] / expected:.3f}')
        print(f'{"ratio":>16}: distilled / (student + teacher forward + points alone) = '
              f'{results["distilled step"] / (expected + results["points alone"]):.3f}')
    print(f'{"ratio":>16}: distilled / student = '
          f'{results["distilled step"] / results["student step"]:.3f}')
    print(f'{"parameters":>16}: student {student_params / 1e6:.2f} M, teacher '
          f'{teacher_params / 1e6:.2f} M, distillation parts {extra / 1e6:.3f} M')
    if args.json:
        timing = dict(config=args.config, device=device, threads=torch.get_num_threads(),
                      batch_size=args.batch_size, size=list(args.size),
                      input_size=list(data['inputs'].shape[-2:]), clock=args.clock,
                      iters=args.iters, warmup=args.warmup, torch=torch.__version__,
                      seconds={name.replace(' ', '_'): value for name, value in results.items()},
                      student_type=cfg.model.student.type)
        with open(args.json, 'w') as f:
            json.dump(timing, f, indent=2)


if __name__ == '__main__':
    run_tool_main(main)
