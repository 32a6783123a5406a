"""One run of a table: a launcher (``tools/train.py``, ``tools/dist_train.sh`` or
``tools/slurm_train.sh``) in a child process, its output in a log file.

A child process per run keeps pycocotools' and the runner's prints out of the terminal (they stay
in ``<work_dir>/train.log``), isolates global state between runs, and frees memory after each. A
finished run leaves ``result.json``; it is reused as long as the config, seed, teacher checkpoint
and data are unchanged. An interrupted run leaves ``spec.json`` and MMEngine's
``last_checkpoint``: started again with the same fingerprint, it resumes from that checkpoint.
"""
import copy
import glob
import hashlib
import json
import os
import os.path as osp
import re
import shutil
import signal
import subprocess
import sys
import time
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

RESULT_FILE = 'result.json'
#: Written when a run starts: its fingerprint, so that only the same run resumes from its files.
SPEC_FILE = 'spec.json'
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


class Launcher(NamedTuple):
    """How a run is launched: ``kind`` is ``none`` (``tools/train.py``), ``pytorch``
    (``tools/dist_train.sh`` on ``gpus`` local GPUs) or ``slurm`` (``tools/slurm_train.sh`` on
    ``gpus`` GPUs of ``partition``, at most 8 per node)."""
    kind: str = 'none'
    gpus: int = 1
    partition: str = ''

    def command(self, repo_root: str, config: str, work_dir: str, job_name: str,
                extra: Sequence[str] = ()) -> Tuple[List[str], Dict[str, str]]:
        """The command line and its extra environment variables.

        Args:
            repo_root (str): Repository root (where ``tools/`` is).
            config (str): Config path.
            work_dir (str): The run's work dir.
            job_name (str): Slurm job name.
            extra (Sequence[str]): More ``tools/train.py`` arguments (``--resume``,
                ``--cfg-options ...``).
        """
        tools = osp.join(repo_root, 'tools')
        if self.kind == 'none':
            return [sys.executable, osp.join(tools, 'train.py'), config, '--work-dir', work_dir,
                    *extra], {}
        if self.kind == 'pytorch':
            return ['bash', osp.join(tools, 'dist_train.sh'), config, str(self.gpus),
                    '--work-dir', work_dir, *extra], {}
        if self.kind == 'slurm':
            env = dict(GPUS=str(self.gpus), GPUS_PER_NODE=str(min(self.gpus, 8)))
            return ['bash', osp.join(tools, 'slurm_train.sh'), self.partition, job_name, config,
                    work_dir, *extra], env
        raise ValueError(f'unknown launcher {self.kind!r}: none, pytorch or slurm')


def config_digest(config, options: Dict[str, str]) -> str:
    """A hash of the config as it runs (its text with ``options`` merged).

    Args:
        config (str | mmengine.Config): Its path, or the loaded config (left unchanged).
        options (dict): ``--cfg-options`` of the run.
    """
    from mmengine.config import Config
    cfg = Config.fromfile(config) if isinstance(config, str) else copy.deepcopy(config)
    cfg.merge_from_dict(options)
    return hashlib.sha256(cfg.pretty_text.encode()).hexdigest()[:16]


def last_checkpoint(work_dir: str) -> Optional[str]:
    """The path MMEngine recorded in ``work_dir/last_checkpoint``, if that file exists."""
    marker = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(marker):
        return None
    with open(marker) as f:
        path = f.read().strip()
    return path if osp.isfile(path) else None


def resumable(spec: RunSpec) -> bool:
    """Whether ``spec.work_dir`` holds an interrupted start of this very run (same fingerprint)
    with a checkpoint to resume from."""
    path = osp.join(spec.work_dir, SPEC_FILE)
    if not osp.isfile(path) or last_checkpoint(spec.work_dir) is None:
        return False
    with open(path) as f:
        return json.load(f).get('fingerprint') == spec.fingerprint


def log_tail(path: str, lines: int = 15) -> str:
    """The last ``lines`` lines of a log file ('' when it does not exist)."""
    if not osp.isfile(path):
        return ''
    with open(path, errors='replace') as f:
        return ''.join(f.readlines()[-lines:])


def _read_scalars(work_dir: str) -> List[dict]:
    """The logged scalars (train and val lines) of the newest run in ``work_dir``."""
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not files:
        raise RuntimeError(f'no scalars.json under {work_dir}: did the run log anything?')
    with open(files[-1]) as f:
        return [json.loads(line) for line in f if line.strip()]


def measured_seconds_per_iter(work_dir: str) -> Optional[float]:
    """Mean logged seconds per training iteration of the newest run in ``work_dir``, if any."""
    try:
        lines = _read_scalars(work_dir)
    except RuntimeError:
        return None
    times = [line['time'] for line in lines if 'time' in line and 'lr' in line]
    return sum(times) / len(times) if times else None


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
    """A launcher on one config in a child process, polled until it ends.

    By default the child runs single-threaded (``OMP_NUM_THREADS=1``): its numbers then do not
    depend on the machine's core count, and several runs share the cores in parallel instead of
    contending.

    Args:
        spec (RunSpec): The run.
        metric (str): Validation metric key to return (e.g. ``coco/bbox_mAP``).
        repo_root (str): Repository root (its ``tools/``).
        launcher (Launcher): How to launch it; default ``tools/train.py`` in this process's
            Python.
        job_name (str): Slurm job name; default the work dir's name.
        single_thread (bool): Run the child with one CPU thread (the toy benchmark's numbers
            depend on it); False leaves the threads to the launcher.
        cwd (str, optional): Where the child runs; default ``repo_root``.
    """

    def __init__(self, spec: RunSpec, metric: str, repo_root: str,
                 launcher: Launcher = Launcher(), job_name: Optional[str] = None,
                 single_thread: bool = True, cwd: Optional[str] = None) -> None:
        self.spec, self.metric, self.repo_root = spec, metric, repo_root
        self.cwd = cwd or repo_root
        self.launcher, self.single_thread = launcher, single_thread
        self.job_name = job_name or osp.basename(spec.work_dir)
        self.iteration, self.max_iters = 0, 0
        self.log_path = osp.join(spec.work_dir, 'train.log')
        self.resumed = False
        self._child: Optional[subprocess.Popen] = None
        self._log = self._reader = None
        self._start = 0.0

    def command(self, resume: bool = False) -> Tuple[List[str], Dict[str, str]]:
        """The child's command line and extra environment (``resume``: from the work dir's last
        checkpoint)."""
        spec = self.spec
        options = [f'randomness.seed={spec.seed}'] + [f'{k}={v}' for k, v in spec.options.items()]
        extra = (['--resume'] if resume else []) + ['--cfg-options', *options]
        return self.launcher.command(self.repo_root, spec.config, spec.work_dir, self.job_name,
                                     extra)

    def start(self, resume: bool = False) -> None:
        """Start the child: with ``resume``, from the work dir's last checkpoint when it holds an
        interrupted start of this run (:func:`resumable`); otherwise in a cleared work dir."""
        spec = self.spec
        self.resumed = resume and resumable(spec)
        if not self.resumed:
            if osp.isdir(spec.work_dir):
                shutil.rmtree(spec.work_dir)  # a stale or partial run: start clean
            os.makedirs(spec.work_dir)
            with open(osp.join(spec.work_dir, SPEC_FILE), 'w') as f:
                json.dump(dict(config=spec.config, seed=spec.seed, options=spec.options,
                               fingerprint=spec.fingerprint), f, indent=2)
        cmd, extra_env = self.command(self.resumed)
        env = dict(os.environ, PYTHONUNBUFFERED='1', **extra_env)
        if self.single_thread:
            env.update(OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
        self._log = open(self.log_path, 'a' if self.resumed else 'w')
        self._log.write(' '.join(cmd) + '\n')
        self._log.flush()
        self._start = time.time()
        # Its own process group: kill() reaches what a launcher script starts (srun,
        # torch.distributed.run), not only the script.
        self._child = subprocess.Popen(cmd, cwd=self.cwd, stdout=self._log,
                                       stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self._reader = open(self.log_path)
        self._reader.seek(0, os.SEEK_END)

    @property
    def returncode(self) -> Optional[int]:
        """The child's exit code; None while it runs."""
        return None if self._child is None else self._child.poll()

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
            raise RuntimeError(f'training {spec.config} (seed {spec.seed}) failed with exit code '
                               f'{self._child.returncode}; full log: {self.log_path}\n'
                               f'{log_tail(self.log_path)}')
        value, seconds = _metric_and_speed(spec.work_dir, self.metric)
        result = RunResult(value, seconds, wall, last_checkpoint(spec.work_dir), False)
        with open(osp.join(spec.work_dir, RESULT_FILE), 'w') as f:
            json.dump(dict(config=spec.config, seed=spec.seed, options=spec.options,
                           fingerprint=spec.fingerprint, metrics={self.metric: value},
                           seconds_per_iter=seconds, wall_seconds=wall,
                           checkpoint=result.checkpoint), f, indent=2)
        return result

    def kill(self, grace: float = 10.0) -> None:
        """Stop the child and its process group (on an error elsewhere or Ctrl-C): SIGTERM
        (srun cancels its job on it), then SIGKILL after ``grace`` seconds."""
        if self._child is None or self._child.poll() is not None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self._child.pid, sig)
            except ProcessLookupError:
                break
            try:
                self._child.wait(timeout=grace)
                break
            except subprocess.TimeoutExpired:
                continue
        self._child.wait()
