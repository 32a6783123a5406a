"""The run harness of the toy benchmark and of the paper tables: which runs make up a table
(:mod:`.suite` for the CPU benchmark on the generated toy set, :mod:`.tables` for the metafiles'
tables), how each runs (a ``tools/train.py``, ``dist_train.sh`` or ``slurm_train.sh`` child
process, :mod:`.runs`), skipping, resuming and collecting them (:mod:`.reproduce`), the dry
run's GPU-hour reference (:mod:`.speed_reference`) and the benchmark's statistics
(:mod:`.report`). ``tools/demo.py`` and ``tools/reproduce.py`` are its command lines;
``tools/benchmark.py``, a step timer, does not use it (``tools/misc/speed_reference.py`` runs
it to write the reference's timings)."""
from .report import MethodSummary, summarize, write_report
from .reproduce import Reproduction, RowResult, select, write_table
from .runs import Launcher, RunResult, RunSpec, TrainingRun
from .suite import EXPERIMENTS, Experiment, Method, select_runs
from .tables import Table, TableRun, all_tables

__all__ = [
    'EXPERIMENTS', 'Experiment', 'Method', 'select_runs', 'RunSpec', 'RunResult', 'TrainingRun',
    'Launcher', 'MethodSummary', 'summarize', 'write_report', 'Table', 'TableRun', 'all_tables',
    'Reproduction', 'RowResult', 'select', 'write_table'
]
