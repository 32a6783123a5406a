"""Config loading shared by every tool: the command line, ``--cfg-options`` and ``data_root``."""
import argparse
import os
import os.path as osp
from typing import Optional, Tuple

from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope

from ..distillers import FeatureDistiller
from ..registry import MODELS
from .data_root import set_data_root

LAUNCHERS = ('none', 'pytorch', 'slurm', 'mpi')


def add_runtime_args(parser: argparse.ArgumentParser, cfg_options_help: Optional[str] = None) -> None:
    """Add the arguments every config-driven tool shares: ``--cfg-options``, ``--launcher``, ...

    Args:
        parser (ArgumentParser): The tool's parser.
        cfg_options_help (str, optional): The tool's own help text for ``--cfg-options``.
    """
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help=cfg_options_help or 'override config settings, e.g. '
                        'model.teacher.checkpoint=PATH or data_root=DIR (re-roots every dataset '
                        'and annotation file)')
    parser.add_argument('--launcher', choices=LAUNCHERS, default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def parse_runtime_args(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Parse a tool's command line; ``--local-rank`` reaches MMEngine as ``LOCAL_RANK``."""
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """Load a config file and apply command-line overrides, ``data_root`` included.

    Old-style configs copy ``data_root`` into every dataset (and a COCO evaluator's ``ann_file``)
    when they are parsed, so overriding the top-level variable alone would change nothing.
    A ``data_root`` override is therefore applied to all of those fields first; the other
    overrides are merged afterwards, so an explicit ``val_dataloader.dataset.data_root=...`` still
    wins.

    Args:
        path (str): The config file.
        cfg_options (dict, optional): ``--cfg-options`` as parsed by ``DictAction``.

    Returns:
        Config: The loaded config.
    """
    cfg = Config.fromfile(path)
    options = dict(cfg_options or {})
    data_root = options.pop('data_root', None)
    if data_root is not None:
        set_data_root(cfg, str(data_root))
    if options:
        cfg.merge_from_dict(options)
    return cfg


def load_cli_config(args) -> Tuple[Config, str]:
    """The config of a tools/ command line, with ``--cfg-options`` and ``--launcher`` applied.

    Args:
        args: Parsed arguments with ``config``, ``cfg_options``, ``launcher`` and, optionally,
            ``work_dir``.

    Returns:
        tuple: ``(cfg, work_dir)``; the work dir defaults to ``./work_dirs/<config name>``.
    """
    cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    work_dir = getattr(args, 'work_dir', None) or cfg.get('work_dir') or osp.join(
        './work_dirs', osp.splitext(osp.basename(args.config))[0])
    return cfg, work_dir


def load_distill_config(path: str, cfg_options: Optional[dict] = None,
                        random_teacher: bool = False) -> Config:
    """A distillation config as the analysis tools use it, with the default scope set.

    Args:
        path (str): The config file.
        cfg_options (dict, optional): ``--cfg-options`` overrides (``data_root`` included, see
            :func:`load_config`).
        random_teacher (bool): Drop the teacher checkpoint (smoke tests, timing).

    Returns:
        Config: The loaded config.
    """
    cfg = load_config(path, cfg_options)
    if random_teacher:
        cfg.model.teacher.checkpoint = None
    init_default_scope(cfg.get('default_scope', 'mmengine'))
    return cfg


def is_distiller_config(cfg: Config) -> bool:
    """Whether ``cfg.model`` is a :class:`FeatureDistiller` (or a subclass such as RoIDistiller)."""
    model_type = cfg.model.get('type', '')
    model_cls = MODELS.get(model_type) if isinstance(model_type, str) else model_type
    return isinstance(model_cls, type) and issubclass(model_cls, FeatureDistiller)
