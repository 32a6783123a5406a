"""What the tools do between loading a config and running it: switches, checks and set-up."""
import logging
import os
import os.path as osp
from contextlib import contextmanager
from typing import Iterator, List, Optional

import torch
import torch.distributed as dist
import torch.nn as nn
from mmengine.config import Config, ConfigDict
from mmengine.logging import print_log

from ..distillers.export import student_checkpoint, student_config
from ..distillers.teacher import load_model_config
from ..registry import MODELS
from ..checkpoint import load_checkpoint_file
from ..utils.errors import InputError, InputFileNotFoundError, unreadable_checkpoint
from .config import is_distiller_config

#: What MMEngine's BaseDataset raises when it serialises an empty list of samples.
EMPTY_DATASET_MESSAGE = 'need at least one array to concatenate'


def build_model(cfg: Config, device: str = 'cpu') -> nn.Module:
    """Build ``cfg.model`` as MMEngine's Runner does, for tools that run without a Runner.

    Like the Runner, a top-level ``data_preprocessor`` (mmpretrain's configs keep it there)
    belongs to the model unless the model names its own.

    Args:
        cfg (Config): A loaded config whose default scope is set.
        device (str): Where the model goes.

    Returns:
        nn.Module: The built model.
    """
    model_cfg = ConfigDict(cfg.model)
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    return MODELS.build(model_cfg).to(device)


def init_distributed(launcher: str) -> None:
    """Start the process group of a tool that runs without a Runner (a Runner starts its own).

    Args:
        launcher (str): ``'none'`` (nothing to do), ``'pytorch'``, ``'slurm'`` or ``'mpi'``.
    """
    if launcher == 'none':
        return
    if torch.cuda.is_available():
        from mmengine.dist import init_dist
        init_dist(launcher)
    else:
        _init_cpu_process_group(launcher)


def _init_cpu_process_group(launcher: str) -> None:
    """gloo without GPUs: MMEngine's ``init_dist`` calls ``torch.cuda.set_device``, which fails."""
    if launcher != 'pytorch':
        raise RuntimeError(f'Without GPUs only --launcher pytorch (torchrun) is supported, '
                           f'not {launcher}.')
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')


def prepare_train_config(cfg: Config,
                         work_dir: str,
                         amp: bool = False,
                         auto_scale_lr: bool = False,
                         resume: Optional[str] = None) -> None:
    """Apply the command-line switches of tools/train.py to ``cfg`` in place.

    Args:
        cfg (Config): The loaded config.
        work_dir (str): Where logs and checkpoints go.
        amp (bool): Use ``AmpOptimWrapper`` (fp16 autocast; GPU only, as in MMEngine).
        auto_scale_lr (bool): Scale the learning rate by the actual batch size.
        resume (str, optional): ``'auto'`` (latest checkpoint of the work dir) or a checkpoint path.
    """
    cfg.work_dir = work_dir
    if amp:
        if not torch.cuda.is_available():
            raise RuntimeError('--amp needs a GPU: MMEngine\'s AmpOptimWrapper does not run on CPU. '
                               'Train without --amp here, or on a GPU machine.')
        wrapper = cfg.optim_wrapper
        if wrapper.get('type', 'OptimWrapper') == 'AmpOptimWrapper':
            print_log('AMP is already enabled in the config.', logger='current')
        else:
            wrapper.type = 'AmpOptimWrapper'
            wrapper.setdefault('loss_scale', 'dynamic')
    if auto_scale_lr:
        if 'auto_scale_lr' not in cfg or 'base_batch_size' not in cfg.auto_scale_lr:
            raise RuntimeError('--auto-scale-lr needs `auto_scale_lr = dict(base_batch_size=N)` in '
                               'the config (the batch size its learning rate was set for).')
        cfg.auto_scale_lr.enable = True
    if resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif resume is not None:
        if '://' not in resume and not osp.isfile(resume):
            raise InputFileNotFoundError(
                f'--resume {resume}: the file does not exist. Give an existing checkpoint, or '
                f'--resume alone to continue from the latest checkpoint of the work dir.')
        cfg.resume = True
        cfg.load_from = resume
    if cfg.get('launcher', 'none') != 'none' and not torch.cuda.is_available():
        _use_cpu_distributed(cfg)
    if is_distiller_config(cfg):
        # The student export, and the random state that makes a resumed run exact.
        hooks = list(cfg.get('custom_hooks', None) or [])
        for hook in ('StudentCheckpointHook', 'RandomStateHook'):
            if not any(h.get('type') == hook for h in hooks):
                hooks.append(dict(type=hook))
        cfg.custom_hooks = hooks


def warn_if_nothing_to_resume(cfg: Config) -> None:
    """Log a warning when ``--resume`` (without a path) finds no checkpoint in the work dir.

    MMEngine then silently trains from iteration 0. Call it after the Runner is built, so that the
    warning also lands in the run's log file.
    """
    from mmengine.runner import find_latest_checkpoint
    if cfg.get('resume') and not cfg.get('load_from') and \
            find_latest_checkpoint(cfg.work_dir) is None:
        print_log(f'--resume: there is no checkpoint to resume from in {cfg.work_dir} (no '
                  f'"last_checkpoint" file there), so training starts from iteration 0. To continue '
                  f'an earlier run, give its --work-dir, or the checkpoint: --resume PATH.',
                  logger='current', level=logging.WARNING)


@contextmanager
def explain_empty_datasets(cfg: Config) -> Iterator[None]:
    """Turn MMEngine's error for an empty data set into one that names the data set and the fix.

    MMEngine reports an empty data set as numpy's ``need at least one array to concatenate``,
    without saying which one. On that error, every data set of ``cfg`` is built again to find
    the empty ones (the cost is paid only when it failed anyway).

    Args:
        cfg (Config): The config the runner was built from.
    """
    try:
        yield
    except ValueError as err:
        if EMPTY_DATASET_MESSAGE not in str(err):
            raise
        empty = empty_datasets(cfg)
        if not empty:
            raise
        raise InputError(' '.join(empty) + ' Check that the annotation file lists images (with '
                         'annotations of the classes in metainfo.classes), that data_prefix points '
                         'at the images, and that filter_cfg keeps some (filter_empty_gt=True drops '
                         'images without boxes). The toy data: python tools/make_toy_data.py, or '
                         '--cfg-options data_root=DIR where it lies.') from None


def empty_datasets(cfg: Config) -> List[str]:
    """A description of each empty data set among ``cfg``'s train/val/test dataloaders."""
    from mmengine.registry import DATASETS, DefaultScope
    found = []
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset_cfg = (cfg.get(key) or {}).get('dataset')
        if not dataset_cfg:
            continue
        try:
            with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
                size = len(DATASETS.build(dataset_cfg.copy()))
        except ValueError as err:
            if EMPTY_DATASET_MESSAGE not in str(err):
                continue
            size = 0
        if size == 0:
            where = ', '.join(f'{k}={dataset_cfg.get(k)!r}' for k in ('data_root', 'ann_file',
                                                                     'data_prefix')
                              if dataset_cfg.get(k) is not None)
            found.append(f'{key}.dataset ({dataset_cfg.get("type")}, {where}) is empty: it '
                         f'yields no samples.')
    return found


def _use_cpu_distributed(cfg: Config) -> None:
    """Distributed training without GPUs: gloo, and DDP without device ids.

    The gloo process group is started here; the runner then finds it already initialised.
    """
    _init_cpu_process_group(cfg.launcher)
    env_cfg = cfg.setdefault('env_cfg', ConfigDict())
    env_cfg.setdefault('dist_cfg', ConfigDict())
    env_cfg.dist_cfg.backend = 'gloo'
    wrapper = cfg.get('model_wrapper_cfg', None) or ConfigDict(type='MMDistributedDataParallel')
    wrapper.device_ids = None
    cfg.model_wrapper_cfg = wrapper


def prepare_test_config(cfg: Config,
                        checkpoint: Optional[str],
                        work_dir: str,
                        out: Optional[str] = None,
                        teacher: bool = False) -> None:
    """Apply the command-line switches of tools/test.py to ``cfg`` in place.

    A distillation config is evaluated as its student alone (no teacher is built or downloaded);
    with ``teacher=True`` its teacher is evaluated instead.
    """
    cfg.work_dir = work_dir
    if checkpoint is not None and '://' not in checkpoint and not osp.isfile(checkpoint):
        raise InputFileNotFoundError(f'Checkpoint "{checkpoint}" does not exist: give the path of '
                                     f'a trained checkpoint (e.g. work_dirs/<config>/iter_N.pth).')
    if cfg.get('launcher', 'none') != 'none' and not torch.cuda.is_available():
        _use_cpu_distributed(cfg)
    if teacher:
        if not is_distiller_config(cfg):
            raise ValueError('--teacher needs a distillation config (model.type FeatureDistiller).')
        teacher_cfg = cfg.model.teacher
        if teacher_cfg.get('config'):
            tcfg = load_model_config(teacher_cfg.config)
            cfg.model = tcfg.model
            cfg.default_scope = tcfg.get('default_scope', cfg.get('default_scope'))
        else:
            cfg.model = teacher_cfg.model
        if teacher_cfg.get('cfg_options'):
            cfg.merge_from_dict(teacher_cfg.cfg_options)
        cfg.load_from = checkpoint or teacher_cfg.get('checkpoint')
    elif is_distiller_config(cfg):
        student_only = student_config(cfg)
        cfg.clear()
        cfg.merge_from_dict(student_only.to_dict())
        cfg.load_from = _student_weights(checkpoint, work_dir)
    else:
        cfg.load_from = checkpoint
    if out is not None:
        evaluators = cfg.test_evaluator if isinstance(cfg.test_evaluator, list) else [cfg.test_evaluator]
        cfg.test_evaluator = list(evaluators) + [dict(type='DumpResults', out_file_path=out)]


def _student_weights(checkpoint: Optional[str], work_dir: str) -> Optional[str]:
    """A distiller checkpoint is exported to its student first; other files are used as they are."""
    if checkpoint is None or '://' in checkpoint:
        return checkpoint  # a URL: MMEngine downloads and loads it as it is
    try:
        loaded = load_checkpoint_file(checkpoint, map_location='cpu')
    except (RuntimeError, EOFError) as err:
        raise unreadable_checkpoint(checkpoint, err, 'Checkpoint') from None
    state = loaded.get('state_dict', loaded)
    if not any(k.startswith('student.') for k in state):
        return checkpoint
    os.makedirs(work_dir, exist_ok=True)
    dst = osp.join(work_dir, osp.splitext(osp.basename(checkpoint))[0] + '_student.pth')
    torch.save(student_checkpoint(loaded, checkpoint), dst)  # already loaded: no second read
    return dst
