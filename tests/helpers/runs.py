"""The toy configs: run the project's tools in-process for a few iterations, read what they wrote,
build their models."""
import glob
import json
import os.path as osp
import runpy
import sys
from typing import Dict, List, Optional

TESTS_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))
REPO_ROOT = osp.dirname(TESTS_DIR)
TOY_CONFIGS = osp.join(REPO_ROOT, 'configs', 'toy')
# Few iterations, validation and a checkpoint at the end, every iteration logged. Batches of 8
# (the toy detection and segmentation configs' own): the tests' toy set holds 16 classification
# images, fewer than the classification configs' batch of 128 (drop_last).
SHORT_RUN = [
    'train_cfg.max_iters=2', 'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=2',
    'default_hooks.logger.interval=1', 'train_dataloader.batch_size=8'
]
# One distillation config per toolbox (and DiffKD), trained by the session fixture ``trained``.
TOOLBOX_CONFIGS = {
    'faster-rcnn': 'mse_faster-rcnn_r18w32-r18w8_fpn_toy-det.py',
    'retinanet': 'mse_retinanet_r18w32-r18w8_fpn_toy-det.py',
    'fcn': 'kd_fcn_r18w32-r18w8_toy-seg.py',
    'resnet-cls': 'kd_resnet18w32-r18w8_toy-cls.py',
    # DiffKD: the export must hold no denoiser keys and predict like the distiller's student.
    'diffkd-cls': 'diffkd_resnet18w32-r18w8_toy-cls.py',
}


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


def tool_error(script: str, args: List[str]) -> str:
    """Run a tool in-process; return the one ``error:`` line it exits with (no traceback)."""
    import pytest
    with pytest.raises(SystemExit) as exc:
        run_tool(script, args)
    lines = str(exc.value.code).splitlines()
    assert len(lines) == 2 and lines[0].startswith('error: '), lines
    assert lines[1] == '(for the traceback, run again with MMKD_TRACEBACK=1)', lines
    assert 'Traceback' not in lines[0]
    return lines[0]


def train(config: str, work_dir: str, options: Optional[List[str]] = None,
          extra: Optional[List[str]] = None) -> None:
    """tools/train.py CONFIG --work-dir W [extra] --cfg-options SHORT_RUN + options."""
    run_tool('train.py', [config, '--work-dir', work_dir] + (extra or []) + ['--cfg-options'] +
             SHORT_RUN + (options or []))


def teacher_config_of(distill_config: str) -> str:
    """The teacher config of a toy distillation config (a name in configs/toy or a path)."""
    from mmengine.config import Config
    return Config.fromfile(toy_config(distill_config)).model.teacher.config


def save_random_teacher(distill_config: str, out: str, seed: int = 0) -> str:
    """Write a runner-style checkpoint of a freshly built (untrained) teacher of a toy config."""
    import torch

    from mmkd_ext.distillers import build_teacher_model
    torch.manual_seed(seed)
    teacher = build_teacher_model(teacher_config_of(distill_config))
    torch.save({'meta': {}, 'state_dict': teacher.state_dict()}, out)
    return out


def build_toy(distill_config: str, options: Optional[dict] = None):
    """``(cfg, model)``: a toy config with ``options`` merged, its model built (random teacher
    unless ``options`` name a checkpoint)."""
    from mmengine.config import Config
    from mmengine.registry import MODELS, init_default_scope
    cfg = Config.fromfile(toy_config(distill_config))
    cfg.merge_from_dict({'model.teacher.checkpoint': None, **(options or {})})
    init_default_scope(cfg.default_scope)
    return cfg, MODELS.build(cfg.model)


def logged_records(work_dir: str) -> List[dict]:
    """Every record of MMEngine's scalars.json of the latest run in ``work_dir``."""
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    assert files, f'no scalars.json under {work_dir}'
    with open(files[-1]) as f:
        return [json.loads(line) for line in f]


def logged_losses(work_dir: str) -> Dict[str, float]:
    """The last logged training losses."""
    return [r for r in logged_records(work_dir) if any('loss' in k for k in r)][-1]


def logged_iterations(work_dir: str) -> List[int]:
    """The training iterations the latest run logged (LoggerHook interval 1)."""
    return [r['iter'] for r in logged_records(work_dir) if 'lr' in r]
