"""One benchmark run: ``tools/train.py`` in a child process, its output in a log file.

A child process per run keeps pycocotools' and the runner's prints out of the terminal (they stay
in ``<work_dir>/train.log``), isolates global state between runs, and frees memory after each. A
finished run leaves ``result.json``; it is reused as long as the config, seed, teacher checkpoint
and data are unchanged.
"""
import glob
import json
import os
import os.path as osp
import re
import shutil
import subprocess
import sys
import time
from typing import Dict, List, NamedTuple, Optional

RESULT_FILE = 'result.json'
_ITER = re.compile(r'Iter\(train\)\s*\[\s*(\d+)/(\d+)\]')


class RunSpec(NamedTuple):
    """What to train.

    ``options`` are ``--cfg-options`` (e.g. the teacher checkpoint); ``fingerprint`` holds what
    else decides the result (hashes of the config text, teacher checkpoint and data).
    """
    config: str
    work_dir: str
    seed: int
    options: Dict[str, str]
    fingerprint: Dict[str, str]


class RunResult(NamedTuple):
    """The outcome of a run: raw metric value, mean seconds per training iteration, wall time."""
    metric: float
    seconds_per_iter: float
    wall_seconds: float
    checkpoint: Optional[str]
    reused: bool


def last_checkpoint(work_dir: str) -> Optional[str]:
    """The path MMEngine recorded in ``work_dir/last_checkpoint``, if that file exists."""
    marker = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(marker):
        return None
    with open(marker) as f:
        path = f.read().strip()
    return path if osp.isfile(path) else None


def _read_scalars(work_dir: str) -> List[dict]:
    """The logged scalars (train and val lines) of the newest run in ``work_dir``."""
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not files:
        raise RuntimeError(f'no scalars.json under {work_dir}: did the run log anything?')
    with open(files[-1]) as f:
        return [json.loads(line) for line in f if line.strip()]


def _metric_and_speed(work_dir: str, metric: str) -> tuple:
    lines = _read_scalars(work_dir)
    values = [line[metric] for line in lines if metric in line]
    if not values:
        raise RuntimeError(f'{metric!r} was never logged in {work_dir}: the final validation '
                           'did not run (check train.log there)')
    times = [line['time'] for line in lines if 'time' in line and 'lr' in line]
    return float(values[-1]), (sum(times) / len(times) if times else float('nan'))


def cached_result(spec: RunSpec, metric: str) -> Optional[RunResult]:
    """The stored result of an identical earlier run, or None."""
    path = osp.join(spec.work_dir, RESULT_FILE)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        stored = json.load(f)
    if stored.get('fingerprint') != spec.fingerprint or metric not in stored.get('metrics', {}):
        return None
    ckpt = stored.get('checkpoint')
    if ckpt and not osp.isfile(ckpt):
        return None
    return RunResult(stored['metrics'][metric], stored['seconds_per_iter'],
                     stored['wall_seconds'], ckpt, True)


class TrainingRun:
    """``tools/train.py`` on one config in a child process, polled until it ends.

    The child runs single-threaded (``OMP_NUM_THREADS=1``): its numbers then do not depend on the
    machine's core count, and several runs share the cores in parallel instead of contending.

    Args:
        spec (RunSpec): The run.
        metric (str): Validation metric key to return (e.g. ``coco/bbox_mAP``).
        repo_root (str): Repository root: the child runs there, so relative data paths resolve.
    """

    def __init__(self, spec: RunSpec, metric: str, repo_root: str) -> None:
        self.spec, self.metric, self.repo_root = spec, metric, repo_root
        self.iteration, self.max_iters = 0, 0
        self.log_path = osp.join(spec.work_dir, 'train.log')
        self._child: Optional[subprocess.Popen] = None
        self._log = self._reader = None
        self._start = 0.0

    def start(self) -> None:
        """Clear the work dir and start the child."""
        spec = self.spec
        if osp.isdir(spec.work_dir):
            shutil.rmtree(spec.work_dir)  # a stale or partial run: start clean
        os.makedirs(spec.work_dir)
        options = [f'randomness.seed={spec.seed}'] + [f'{k}={v}' for k, v in spec.options.items()]
        cmd = [sys.executable, osp.join(self.repo_root, 'tools', 'train.py'), spec.config,
               '--work-dir', spec.work_dir, '--cfg-options', *options]
        env = dict(os.environ, PYTHONUNBUFFERED='1', OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
        self._log = open(self.log_path, 'w')
        self._log.write(' '.join(cmd) + '\n')
        self._log.flush()
        self._start = time.time()
        self._child = subprocess.Popen(cmd, cwd=self.repo_root, stdout=self._log,
                                       stderr=subprocess.STDOUT, env=env)
        self._reader = open(self.log_path)

    @property
    def elapsed(self) -> float:
        return time.time() - self._start

    def poll(self) -> Optional[RunResult]:
        """Update :attr:`iteration`; the result once the child has ended, else None.

        Raises:
            RuntimeError: The child failed; the message names its log and quotes its end.
        """
        assert self._child is not None, 'start() first'
        finished = self._child.poll() is not None
        for line in self._reader.readlines():
            match = _ITER.search(line)
            if match:
                self.iteration, self.max_iters = int(match.group(1)), int(match.group(2))
        if not finished:
            return None
        wall = self.elapsed
        self._reader.close()
        self._log.close()
        spec = self.spec
        if self._child.returncode != 0:
            with open(self.log_path) as f:
                tail = ''.join(f.readlines()[-15:])
            raise RuntimeError(f'training {spec.config} (seed {spec.seed}) failed with exit code '
                               f'{self._child.returncode}; full log: {self.log_path}\n{tail}')
        value, seconds = _metric_and_speed(spec.work_dir, self.metric)
        result = RunResult(value, seconds, wall, last_checkpoint(spec.work_dir), False)
        with open(osp.join(spec.work_dir, RESULT_FILE), 'w') as f:
            json.dump(dict(config=spec.config, seed=spec.seed, options=spec.options,
                           fingerprint=spec.fingerprint, metrics={self.metric: value},
                           seconds_per_iter=seconds, wall_seconds=wall,
                           checkpoint=result.checkpoint), f, indent=2)
        return result

    def kill(self) -> None:
        """Stop the child (on an error elsewhere or Ctrl-C)."""
        if self._child is not None and self._child.poll() is None:
            self._child.kill()
            self._child.wait()
