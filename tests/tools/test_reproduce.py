"""tools/reproduce.py: the tables, the dry run, a table end to end (interrupted and resumed),
slurm through fake ``srun``/``sbatch`` executables, and a failed run in the table."""
import csv
import json
import os
import os.path as osp
import signal
import stat
import subprocess
import sys
import time

import pytest
from helpers.runs import REPO_ROOT

from mmkd_ext.harness import select_runs
from mmkd_ext.harness.reproduce import Reproduction, select
from mmkd_ext.harness.runs import Launcher
from mmkd_ext.harness.suite import EXPERIMENTS
from mmkd_ext.harness.tables import all_tables, paper_tables, toy_table

TOOL = osp.join(REPO_ROOT, 'tools', 'reproduce.py')
# The toy classifier pair for a few iterations on the tests' 16-image set (batches of 8): a
# checkpoint every 2 iterations, validation at the end.
TINY = ['train_dataloader.batch_size=8', 'default_hooks.checkpoint.interval=2',
        'default_hooks.logger.interval=1']
KD_CLS = 'kd_resnet18w32-r18w8_toy-cls'
TEACHER_CLS = 'resnet18-w32_toy-cls'
# tools/demo.py's layout: the demo and the toy table share their finished runs.
WORK_DIRS = {TEACHER_CLS: 'out/cls/teacher/seed0', KD_CLS: f'out/cls/{KD_CLS}/seed0'}


def tiny(iters: int) -> list:
    return [f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}'] + TINY


def reproduce(args: list, env: dict = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, TOOL, *args], capture_output=True, text=True,
                          env=env or tool_env(), timeout=900, **kwargs)


def tool_env() -> dict:
    return dict(os.environ, PYTHONPATH=REPO_ROOT, OMP_NUM_THREADS='1')


def read_table(work_dir: str, table: str = 'toy') -> dict:
    with open(osp.join(work_dir, f'{table}.csv')) as f:
        return {osp.splitext(osp.basename(r['config']))[0]: r for r in csv.DictReader(f)}


def test_tables_come_from_the_metafiles():
    tables = paper_tables(REPO_ROOT)
    assert {'diffkd-coco', 'diffkd-in1k', 'diffkd-cityscapes', 'nd-cifar100', 'nd-in1k',
            'pefd-in1k', 'pefd-coco'} <= set(tables)
    coco = tables['diffkd-coco']
    assert len(coco.runs) == 12 and all(r.config.startswith('configs/diffkd/') for r in coco.runs)
    faster = next(r for r in coco.runs if r.name == 'diffkd_faster-rcnn_r101-r50_fpn_2x_coco')
    assert (faster.paper, faster.metric, faster.scale) == (40.6, 'coco/bbox_mAP', 100.0)
    assert faster.teacher_run is None  # an OpenMMLab zoo checkpoint: nothing to train first
    # CIFAR-100 teachers are trained here: they are runs of the table, before their students.
    cifar = tables['nd-cifar100']
    names = [r.name for r in cifar.runs]
    for run in cifar.runs:
        if run.teacher_run:
            assert names.index(run.teacher_run) < names.index(run.name)
    assert 'resnet32x4_cifar100' in names
    # --only picks runs by glob and brings their teachers along.
    picked = select(cifar, 'nd-kd_resnet56-resnet20*')
    assert [r.name for r in picked] == ['resnet56_cifar100', 'nd-kd_resnet56-resnet20_cifar100']
    with pytest.raises(ValueError, match='matches no run'):
        select(cifar, 'nothing*')


def test_the_toy_table_is_the_demo_selection():
    """The toy table holds tools/demo.py's default runs (seed 0, the short demo's methods)."""
    demo = select_runs([e.task for e in EXPERIMENTS], [0], all_methods=False)
    table = toy_table()
    assert [r.config for r in table.runs] == [f'configs/toy/{r.config}' for r in demo]
    assert table.single_thread
    runs = {r.name: r for r in table.runs}
    assert runs[KD_CLS].teacher_run == TEACHER_CLS
    assert {name: osp.join('out', runs[name].path) for name in WORK_DIRS} == WORK_DIRS
    # The demo's several seeds: runs named by their work dirs.
    seeds = toy_table(select_runs(['cls'], [0, 1], all_methods=False))
    assert [r.name for r in seeds.runs][:3] == [
        'cls/teacher/seed0', 'cls/resnet18-w8_toy-cls/seed0', f'cls/{KD_CLS}/seed0']


@pytest.mark.slow
def test_dry_run_on_every_shipped_table(tmp_path):
    """Every table: a command per run through the launcher's script and an estimate (iterations
    from the schedule; seconds per iteration measured by a start of the run, else the stated
    reference, else unknown)."""
    for name, table in all_tables(REPO_ROOT).items():
        repro = Reproduction(table, str(tmp_path), Launcher('slurm', 8, 'gpu'), REPO_ROOT,
                             REPO_ROOT)
        text = repro.dry_run(select(table, None))
        for index, run in enumerate(table.runs):
            block = text.split(f'] {run.name}: ')[1].split('\n[')[0]
            assert 'tools/slurm_train.sh gpu' in block and run.config in block, (name, block)
            assert 'GPU-h' in block and ('iterations ×' in block or 'iterations unknown' in block)
        assert text.splitlines()[-1].startswith('Total: ')
    # The acceptance command: every COCO DiffKD config with its command and the estimate.
    proc = reproduce(['diffkd-coco', '--dry-run', '--launcher', 'slurm', '--gpus', '8',
                      '--work-dir', str(tmp_path)])
    assert proc.returncode == 0, proc.stderr[-3000:]
    coco = paper_tables(REPO_ROOT)['diffkd-coco']
    assert proc.stdout.count('slurm_train.sh') == len(coco.runs)
    assert proc.stdout.count('175,920 iterations') == len(coco.runs)  # 24 epochs × 7330 iters
    assert 'GPUS=8' in proc.stdout and 'Total:' in proc.stdout
    # ... every one with a GPU-hour estimate from the speed reference.
    assert 'unknown' not in proc.stdout
    assert f'GPU-h for the {len(coco.runs)} run(s) with a reference' in proc.stdout
    assert proc.stdout.count('s/iter: reference: MMDetection') == len(coco.runs)


@pytest.mark.slow
def test_toy_table_end_to_end_killed_and_resumed(in_toy_workspace):
    """A teacher and its distilled student; the tool is killed (SIGTERM: it stops its runs)
    after the teacher's first checkpoint, re-invoked: the teacher resumes from that checkpoint
    and the table fills."""
    args = ['toy', '--only', KD_CLS, '--work-dir', 'out', '--jobs', '1', '--cfg-options',
            *tiny(30)]
    first = subprocess.Popen([sys.executable, TOOL, *args], env=tool_env(),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    teacher_dir = WORK_DIRS[TEACHER_CLS]
    deadline = time.time() + 600
    try:
        while not osp.isfile(osp.join(teacher_dir, 'last_checkpoint')):
            assert first.poll() is None and time.time() < deadline, 'no checkpoint was written'
            time.sleep(0.05)
    finally:
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=120) == 143
    assert not osp.isfile(osp.join(teacher_dir, 'result.json')), 'killed too late'
    # The dry run now resumes the teacher and estimates it from its own logged speed.
    proc = reproduce(args + ['--dry-run'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    teacher = proc.stdout.split(f'] {TEACHER_CLS}: ')[1].split('\n[')[0]
    assert teacher.startswith('resume from its last checkpoint') and '--resume' in teacher
    assert '30 iterations × ' in teacher and 's/iter: measured in' in teacher, teacher

    proc = reproduce(args)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rows = read_table('out')
    assert rows[TEACHER_CLS]['status'] == 'done (resumed)'
    assert rows[KD_CLS]['status'] == 'done'
    with open(osp.join(teacher_dir, 'train.log')) as f:
        log = f.read()
    assert '--resume' in log and 'resumed' in log.lower()
    for name in (TEACHER_CLS, KD_CLS):
        with open(osp.join(WORK_DIRS[name], 'result.json')) as f:
            metric = json.load(f)['metrics']['accuracy/top1']
        assert rows[name]['ours'] == f'{metric:.2f}' and rows[name]['log']
    assert rows['resnet18-w8_toy-cls']['status'] == 'not run'  # left out by --only
    with open(osp.join('out', 'toy.md')) as f:
        assert f'[train.log](cls/{KD_CLS}/seed0/train.log)' in f.read()

    # Everything finished: a dry run skips both, another invocation trains nothing.
    proc = reproduce(args + ['--dry-run'])
    assert proc.stdout.count(': finished, skipped') == 2, proc.stdout[-2000:]
    proc = reproduce(args)
    assert proc.returncode == 0 and proc.stdout.count(': reused') == 2, proc.stdout[-2000:]


FAKE_SRUN = """#!/usr/bin/env bash
# Records its arguments, then runs the job here as one local process (no cluster, no GPU).
printf '%s\\n' "$*" >> "$FAKE_SLURM_LOG"
while [ $# -gt 0 ]; do
  case "$1" in
    -p) shift 2 ;;
    -*) shift ;;
    *) break ;;
  esac
done
args=()
for a in "$@"; do [ "$a" = "--launcher=slurm" ] && a="--launcher=none"; args+=("$a"); done
exec "${args[@]}"
"""
FAKE_SBATCH = """#!/usr/bin/env bash
printf 'sbatch %s\\n' "$*" >> "$FAKE_SLURM_LOG"
exit 1
"""


@pytest.mark.slow
def test_slurm_launch_through_fake_srun(in_toy_workspace, tmp_path):
    """--launcher slurm goes through tools/slurm_train.sh: srun gets the partition, the job
    name and the GPUs; the fake runs the job locally and the table collects it."""
    bin_dir = tmp_path / 'bin'
    os.makedirs(bin_dir)
    for name, text in (('srun', FAKE_SRUN), ('sbatch', FAKE_SBATCH)):
        path = bin_dir / name
        path.write_text(text)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    record = tmp_path / 'slurm.log'
    env = dict(tool_env(), PATH=f'{bin_dir}{os.pathsep}{os.environ["PATH"]}',
               FAKE_SLURM_LOG=str(record), PYTHON=sys.executable)
    proc = reproduce(['toy', '--only', TEACHER_CLS, '--launcher', 'slurm', '--gpus', '2',
                      '--partition', 'gpu', '--work-dir', 'out', '--cfg-options', *tiny(2)],
                     env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    calls = record.read_text().splitlines()
    assert len(calls) == 1 and not calls[0].startswith('sbatch')
    for expected in ('-p gpu', f'--job-name=toy-{TEACHER_CLS}', '--ntasks=2', '--gres=gpu:2',
                     'tools/train.py', '--launcher=slurm', 'train_cfg.max_iters=2'):
        assert expected in calls[0], (expected, calls[0])
    assert read_table('out')[TEACHER_CLS]['status'] == 'done'


@pytest.mark.slow
def test_a_failed_run_shows_as_failed(in_toy_workspace):
    """A run that crashes: failed with its exit code and its log's last lines; the run that
    needed its checkpoint is blocked; the tool exits with 1."""
    proc = reproduce(['toy', '--only', KD_CLS, '--work-dir', 'out', '--cfg-options', *tiny(2),
                      'model.backbone.depth=7'])
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    rows = read_table('out')
    assert rows[TEACHER_CLS]['status'] == 'failed (exit 1)' and rows[TEACHER_CLS]['ours'] == '—'
    assert rows[KD_CLS]['status'] == 'blocked'
    with open(osp.join('out', 'toy.md')) as f:
        text = f.read()
    assert f'### {TEACHER_CLS}: failed (exit 1)' in text and 'depth' in text.split('## Failed')[1]


def test_model_zoo_fills_ours_only_from_complete_collected_runs(tmp_path):
    """gen_model_zoo --runs: a run of the shipped config with result.json, log and checkpoint
    gives "ours"; without its checkpoint or log, or with a changed schedule, it does not."""
    import runpy
    zoo = runpy.run_path(osp.join(REPO_ROOT, 'tools', 'misc', 'gen_model_zoo.py'))
    name = 'diffkd_faster-rcnn_r101-r50_fpn_2x_coco'
    model = dict(name=name, config=f'configs/diffkd/{name}.py', dataset='COCO')
    work_dir = tmp_path / 'diffkd-coco' / name
    os.makedirs(work_dir)
    checkpoint = work_dir / 'epoch_24.pth'
    result = dict(config=osp.join(REPO_ROOT, model['config']), seed=0, options={},
                  metrics={'coco/bbox_mAP': 0.403}, checkpoint=str(checkpoint))

    def write(**changes):
        with open(work_dir / 'result.json', 'w') as f:
            json.dump(dict(result, **changes), f)

    write()
    (work_dir / 'train.log').write_text('log\n')
    assert zoo['collected'](str(tmp_path), model) is None  # no checkpoint
    checkpoint.write_bytes(b'')
    assert zoo['collected'](str(tmp_path), model) == '40.3'
    assert zoo['collected'](None, model) is None
    write(options={'train_cfg.max_epochs': '1'})
    assert zoo['collected'](str(tmp_path), model) is None  # not the shipped schedule
    write()
    os.remove(work_dir / 'train.log')
    assert zoo['collected'](str(tmp_path), model) is None  # no log
