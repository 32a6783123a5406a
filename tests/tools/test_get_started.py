"""docs/get_started.md runs as written: every command block, in order, in one fresh shell.

The commands run in a workspace laid out like the repository (tools/, configs/, scripts/,
mmkd_ext/ and .venv/ link to the real ones), from a shell whose PATH has no Python of the stack,
so the page's `source .venv/bin/activate` is what makes `python` work. Only the schedules are
shortened: every training gets 2 iterations, so a distillation config's teacher checkpoint
(`.../iter_N.pth`) becomes the teacher run's `iter_2.pth`. `bash scripts/setup_env.sh` runs only where that script
already set up this environment (it would install packages otherwise). The whole demo
(`bash scripts/demo.sh`, minutes of training by design) is prose on the page, not a command block.
"""
import os
import os.path as osp
import re
import shlex
import subprocess
import sys
from typing import List

import pytest
from helpers.runs import REPO_ROOT, SHORT_RUN
from mmengine.config import Config

PAGE = osp.join(REPO_ROOT, 'docs', 'get_started.md')
SHORT_CHECKPOINT = 'iter_2.pth'  # what a training with SHORT_RUN leaves
SHELL_FENCES = ('bash', 'sh', 'shell', 'console')
SETUP_STAMP = '.mmkd_ext_setup_v2'  # written by scripts/setup_env.sh into the venv


def command_blocks(markdown: str) -> List[str]:
    """The commands of a page: indented code blocks and bash/sh fenced blocks, in order."""
    commands, fence, previous = [], None, ''
    for line in markdown.splitlines():
        stripped = line.strip()
        if stripped.startswith('```'):
            fence = None if fence is not None else stripped[3:].strip() or 'text'
        elif fence is not None:
            if fence in SHELL_FENCES and stripped:
                commands.append(stripped)
        elif line.startswith('    ') and stripped and (not previous.strip() or
                                                         previous.startswith('    ')):
            commands.append(stripped)
        previous = line if fence is None else ''
    return [c for c in commands if not c.startswith('#')]


def with_cfg_options(command: str, options: List[str]) -> str:
    """Add ``options`` to the command's ``--cfg-options`` (appended when it has none).

    Text, not tokens: the command keeps its shell syntax (such as ``$(cat ...)``).
    """
    text = ' '.join(shlex.quote(o) for o in options)
    if ' --cfg-options ' in command:
        return command.replace(' --cfg-options ', f' --cfg-options {text} ', 1)
    return f'{command} --cfg-options {text}'


def shortened(command: str) -> str:
    """The command with 2-iteration schedules (see the module docstring)."""
    args = shlex.split(command, comments=True)
    if len(args) < 2 or args[0] != 'python' or not args[1].startswith('tools/'):
        return command
    tool = osp.basename(args[1])
    options = list(SHORT_RUN) if tool == 'train.py' else []
    configs = [a for a in args[2:] if a.startswith('configs/') and a.endswith('.py')]
    if configs:
        teacher = Config.fromfile(osp.join(REPO_ROOT, configs[0])).model.get('teacher', {})
        checkpoint = str(teacher.get('checkpoint') or '')
        if re.search(r'iter_\d+\.pth$', checkpoint):
            options.append('model.teacher.checkpoint=' +
                           re.sub(r'iter_\d+\.pth$', SHORT_CHECKPOINT, checkpoint))
    return with_cfg_options(command, options) if options else command


def test_command_blocks_are_found():
    with open(PAGE) as f:
        commands = command_blocks(f.read())
    assert commands[:2] == ['bash scripts/setup_env.sh', 'source .venv/bin/activate']
    assert any(c.startswith('python tools/train.py') for c in commands)
    assert not any('my_config' in c or 'CONFIG' in c for c in commands), 'placeholders cannot run'


@pytest.mark.slow
def test_get_started_runs_as_written(tmp_path):
    with open(PAGE) as f:
        commands = command_blocks(f.read())
    for name in ('tools', 'configs', 'scripts', 'mmkd_ext'):
        os.symlink(osp.join(REPO_ROOT, name), tmp_path / name)
    os.symlink(sys.prefix, tmp_path / '.venv')
    set_up_here = osp.isfile(osp.join(sys.prefix, SETUP_STAMP))
    lines = ['set -eo pipefail']
    for command in commands:
        if command.startswith('bash scripts/setup_env.sh') and not set_up_here:
            continue
        lines += [f'echo + {shlex.quote(command)}', shortened(command)]
    with open(tmp_path / 'get_started.sh', 'w') as f:
        f.write('\n'.join(lines) + '\n')
    venv_bin = osp.join(sys.prefix, 'bin')
    path = os.pathsep.join(p for p in os.environ['PATH'].split(os.pathsep)
                           if osp.realpath(p) != osp.realpath(venv_bin))
    env = {k: v for k, v in os.environ.items() if k not in ('VIRTUAL_ENV', 'PYTHONHOME')}
    env.update(PATH=path, PYTHONPATH=REPO_ROOT, OMP_NUM_THREADS='1')
    proc = subprocess.run(['bash', 'get_started.sh'], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=1800)
    ran = re.findall(r'^\+ (.*)$', proc.stdout, flags=re.M)
    assert proc.returncode == 0, (f'failed at: {ran[-1] if ran else "?"}\n' + proc.stdout[-4000:] +
                                  proc.stderr[-4000:])
    assert len(ran) == len([line for line in lines if line.startswith('echo + ')])
    # What the page says the steps leave behind.
    run = tmp_path / 'work_dirs' / 'kd_resnet18w32-r18w8_toy-cls'
    for name in ('iter_2.pth', 'iter_2_student.pth', 'student_config.py'):
        assert osp.isfile(run / name), name
    assert osp.isfile(tmp_path / 'work_dirs' / 'analysis' / 'kd_resnet18w32-r18w8_toy-cls' /
                      'report.json')
    assert 'suggested pairings' in proc.stdout
