"""The CPU benchmark suite on the generated toy set: which runs make it up, how they run (each a
``tools/train.py`` child process), how they are summarised. ``tools/demo.py`` is its command line;
``tools/benchmark.py``, a step timer, does not use it."""
from .report import MethodSummary, summarize, write_report
from .runs import RunResult, RunSpec, TrainingRun
from .suite import EXPERIMENTS, Experiment, Method, select_runs

__all__ = [
    'EXPERIMENTS', 'Experiment', 'Method', 'select_runs', 'RunSpec', 'RunResult', 'TrainingRun',
    'MethodSummary', 'summarize', 'write_report'
]
