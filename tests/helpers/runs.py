"""Run the project's tools in-process, on the toy configs, for a few iterations."""
import os.path as osp
import runpy
import sys
from typing import List, Optional

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOY_CONFIGS = osp.join(REPO_ROOT, 'configs', 'toy')
# Few iterations, validation and a checkpoint at the end, every iteration logged.
SHORT_RUN = [
    'train_cfg.max_iters=2', 'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=2',
    'default_hooks.logger.interval=1'
]


def toy_config(name: str) -> str:
    return osp.join(TOY_CONFIGS, name)


def run_tool(script: str, args: List[str]) -> None:
    """Run ``tools/<script>`` in this process, as ``python tools/<script> ARGS`` would."""
    argv = sys.argv
    sys.argv = [script] + args
    try:
        runpy.run_path(osp.join(REPO_ROOT, 'tools', script), run_name='__main__')
    finally:
        sys.argv = argv


def train(config: str, work_dir: str, options: Optional[List[str]] = None,
          extra: Optional[List[str]] = None) -> None:
    """tools/train.py CONFIG --work-dir W [extra] --cfg-options SHORT_RUN + options."""
    run_tool('train.py', [config, '--work-dir', work_dir] + (extra or []) + ['--cfg-options'] +
             SHORT_RUN + (options or []))
