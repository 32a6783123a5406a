"""Checks of a prepared config before a Runner is built: every mistake one message, no traceback.

MMEngine finds most mistakes late: a missing data folder after the whole start-up log, a
truncated resume checkpoint deep in torch, a negative batch size in the sampler. These checks
read only the config and the files it names, so they cost nothing next to building the models,
and each message names the config key or the file, what is wrong and how to fix it.
"""
import glob
import inspect
import os
import os.path as osp
import re
from numbers import Number
from typing import Iterator, List, Optional, Sequence, Tuple

from mmengine.config import Config

from ..checkpoint import UnreadableCheckpointError, read_checkpoint
from ..distillers.teacher import load_model_config, missing_teacher_checkpoint
from ..utils.errors import InputError, InputFileNotFoundError

#: Dataset keys (besides ``data_prefix``) and what each names, as the toolboxes lay data out.
LAYOUTS = {
    'mmdet': 'a COCO-style json annotation file (ann_file) and the image folder data_prefix.img',
    'mmseg': 'the image folder data_prefix.img_path and the label-map folder '
             'data_prefix.seg_map_path',
    'mmpretrain': 'a CustomDataset folder data_prefix holding one sub-folder per class '
                  '(<class>/<image>), or an ann_file listing the images',
}
DATA_FIX = ('Point data_root at the data: --cfg-options data_root=DIR (it moves every data set, '
            'see docs/datasets.md); for the toy data run python tools/make_toy_data.py first.')
#: ``(config key, least value)`` of the integers a run needs; a missing key is not checked.
INTEGER_KEYS = (('train_cfg.max_iters', 1), ('train_cfg.max_epochs', 1),
                ('train_cfg.val_interval', 1), ('train_dataloader.batch_size', 1),
                ('val_dataloader.batch_size', 1), ('test_dataloader.batch_size', 1),
                ('train_dataloader.num_workers', 0), ('val_dataloader.num_workers', 0),
                ('test_dataloader.num_workers', 0))
#: Numbered checkpoints of MMEngine's CheckpointHook: ``iter_300.pth``, ``epoch_12.pth``.
NUMBERED = re.compile(r'(?:iter|epoch)_(\d+)\.pth$')


def _get(cfg: Config, key: str) -> Tuple[bool, object]:
    """``(found, value)`` of a dotted key."""
    first, *rest = key.split('.')
    if first not in cfg:
        return False, None
    node = cfg.get(first)
    for part in rest:
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def check_config_values(cfg: Config, keys: Sequence[str] = ('train', 'val', 'test')) -> None:
    """Refuse impossible numbers of the run: iterations, intervals, batch sizes, workers, lr.

    Args:
        cfg (Config): The prepared config.
        keys (Sequence[str]): Which parts the tool uses (``train``, ``val``, ``test``); keys of
            the others are not checked.

    Raises:
        InputError: Naming the key, the value and a valid example.
    """
    for key, least in INTEGER_KEYS:
        if key.split('_')[0] not in keys:
            continue
        found, value = _get(cfg, key)
        if not found or value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            kind = 'an integer >= 0' if least == 0 else 'a positive integer'
            raise InputError(f'{key} must be {kind}, got {value!r}: set it with --cfg-options '
                             f'{key}={max(least, 1) if least else 0}.')
    found, lr = _get(cfg, 'optim_wrapper.optimizer.lr')
    if 'train' in keys and found and lr is not None and (
            isinstance(lr, bool) or not isinstance(lr, Number) or not lr >= 0):
        raise InputError(f'optim_wrapper.optimizer.lr must be a number >= 0, got {lr!r}: a '
                         f'negative learning rate climbs the loss. E.g. --cfg-options '
                         f'optim_wrapper.optimizer.lr=0.01.')


def _leaf_datasets(dataset: dict, key: str) -> Iterator[Tuple[str, dict]]:
    """``(key, dataset)`` of every data set inside wrappers (RepeatDataset, ConcatDataset, ...)."""
    if isinstance(dataset.get('dataset'), dict):
        yield from _leaf_datasets(dataset['dataset'], f'{key}.dataset')
    elif isinstance(dataset.get('datasets'), (list, tuple)):
        for i, inner in enumerate(dataset['datasets']):
            yield from _leaf_datasets(inner, f'{key}.datasets[{i}]')
    else:
        yield key, dataset


def _local(path: object) -> bool:
    return isinstance(path, str) and bool(path) and '://' not in path


def _downloads(dataset: dict, scope: Optional[str]) -> bool:
    """Whether the data set fetches its files itself when they are missing (mmpretrain's CIFAR)."""
    from mmengine.registry import DATASETS
    type_name = dataset.get('type')
    with DATASETS.switch_scope_and_registry(scope) as registry:
        cls = registry.get(type_name) if isinstance(type_name, str) else type_name
    if not isinstance(cls, type):
        return False
    default = inspect.signature(cls.__init__).parameters.get('download')
    return bool(dataset.get('download', default.default if default is not None else False))


def dataset_problems(dataset: dict, key: str) -> List[str]:
    """What is missing on disk of one data set config (local paths only).

    Args:
        dataset (dict): The data set config (``data_root``, ``ann_file``, ``data_prefix``).
        key (str): Its config key, e.g. ``'train_dataloader.dataset'``.

    Returns:
        list[str]: One sentence per missing path; empty when all exist.
    """
    if dataset.get('backend_args') or dataset.get('file_client_args'):
        return []  # read through a storage backend: not a local folder
    root = dataset.get('data_root') or ''
    if root and not _local(root):
        return []
    if root and not osp.isdir(root):
        return [f'{key}.data_root "{root}" does not exist']
    expected = []
    ann_file = dataset.get('ann_file')
    if _local(ann_file):
        expected.append(('ann_file', ann_file, osp.isfile))
    prefix = dataset.get('data_prefix')
    items = prefix.items() if isinstance(prefix, dict) else [(None, prefix)]
    for name, folder in items:
        if _local(folder):
            expected.append((f'data_prefix.{name}' if name else 'data_prefix', folder, osp.isdir))
    problems = []
    for field, path, exists in expected:
        full = path if osp.isabs(path) else osp.join(root, path)
        if not exists(full):
            what = 'file' if exists is osp.isfile else 'folder'
            problems.append(f'{key}.{field}: the {what} "{full}" does not exist')
    return problems


def layout_note(dataset: dict, scope: Optional[str]) -> str:
    """What a data set's ``data_root`` should hold, in its toolbox's layout (empty if unknown)."""
    if scope not in LAYOUTS:
        return ''
    root = dataset.get('data_root') or ''
    empty = ' (the folder is empty)' if root and osp.isdir(root) and not os.listdir(root) else ''
    return (f'data_root "{root}"{empty} should hold the {scope} layout of {dataset.get("type")}: '
            f'{LAYOUTS[scope]}. ')


def check_datasets(cfg: Config, keys: Sequence[str]) -> None:
    """Refuse data sets whose data_root, annotation file or image folders are not on disk.

    Args:
        cfg (Config): The prepared config.
        keys (Sequence[str]): The dataloaders the tool uses, e.g. ``('train_dataloader',)``.

    Raises:
        InputFileNotFoundError: Naming each missing path with its config key, the layout the
            toolbox expects and the fix.
    """
    problems: List[str] = []
    note = ''
    scope = cfg.get('default_scope')
    for loader_key in keys:
        loader = cfg.get(loader_key)
        if not isinstance(loader, dict) or not isinstance(loader.get('dataset'), dict):
            continue
        for key, dataset in _leaf_datasets(loader['dataset'], f'{loader_key}.dataset'):
            if _downloads(dataset, scope):
                continue
            found = dataset_problems(dataset, key)
            if found and not note and 'data_root' not in found[0]:
                note = layout_note(dataset, scope)
            problems += found
    if problems:
        raise InputFileNotFoundError('; '.join(problems) + '. ' + note + DATA_FIX)


def _inside(path: str, folder: str) -> bool:
    folder = osp.realpath(folder)
    return osp.realpath(path).startswith(folder + osp.sep)


def previous_readable(path: str) -> Optional[str]:
    """The newest numbered checkpoint before ``path`` in its folder that reads, if any."""
    match = NUMBERED.search(osp.basename(path))
    number = int(match.group(1)) if match else None
    candidates = []
    for other in glob.glob(osp.join(osp.dirname(path) or '.', '*.pth')):
        found = NUMBERED.search(osp.basename(other))
        if found and osp.abspath(other) != osp.abspath(path) and (
                number is None or int(found.group(1)) < number):
            candidates.append((int(found.group(1)), other))
    for _, other in sorted(candidates, reverse=True):
        try:
            read_checkpoint(other, 'Checkpoint')
        except InputError:
            continue
        return other
    return None


def check_resume_checkpoint(path: str, what: str) -> None:
    """Refuse a checkpoint to resume from that cannot be read, naming the previous good one."""
    try:
        read_checkpoint(path, what)
    except UnreadableCheckpointError as err:
        good = previous_readable(path)
        fix = (f'The previous readable checkpoint is "{good}": continue from it with --resume '
               f'{good}.') if good else ('There is no readable earlier checkpoint beside it: '
                                         'train again without --resume.')
        raise InputError(f'{err} {fix}') from None


def check_resume(cfg: Config) -> None:
    """``--resume`` reads this work dir's checkpoint, and one that can be read.

    MMEngine's ``--resume`` (no path) follows ``WORK_DIR/last_checkpoint``, which holds the
    path the run wrote, absolute when the work dir was: in a copied or moved work dir it points
    back to the original directory, and MMEngine would resume from there without a word.

    Raises:
        InputError: ``last_checkpoint`` points outside the work dir, or the checkpoint to resume
            from cannot be read (the previous readable one is named).
    """
    if not cfg.get('resume'):
        return
    if cfg.get('load_from'):
        if _local(cfg.load_from):
            check_resume_checkpoint(cfg.load_from, '--resume checkpoint')
        return
    pointer = osp.join(cfg.work_dir, 'last_checkpoint')
    if not osp.isfile(pointer):
        return  # nothing to resume: warn_if_nothing_to_resume says so in the log
    with open(pointer) as f:
        path = f.read().strip()
    if not _local(path):
        return
    if not _inside(path, cfg.work_dir):
        here = osp.join(cfg.work_dir, osp.basename(path))
        fix = f'--resume {here}' if osp.isfile(here) else '--resume PATH'
        raise InputError(
            f'--resume: {pointer} points to "{path}", which is outside the work dir '
            f'{cfg.work_dir} (a copied or moved work dir?); MMEngine would resume from that other '
            f'directory. Name the checkpoint to continue from: {fix}.')
    check_resume_checkpoint(path, f'--resume checkpoint (from {pointer})')


def check_teacher_files(cfg: Config) -> None:
    """A distillation config's teacher config and checkpoint exist (read later, by the build)."""
    model = cfg.get('model')
    teacher = model.get('teacher') if isinstance(model, dict) else None
    if not isinstance(teacher, dict):
        return
    config = teacher.get('config')
    if _local(config) and '::' not in config and not osp.isfile(config):
        load_model_config(config)  # raises, with the closest names in its folder
    checkpoint = teacher.get('checkpoint')
    if _local(checkpoint) and not osp.isfile(checkpoint):
        raise missing_teacher_checkpoint(checkpoint)


def check_load_from(cfg: Config) -> None:
    """``load_from`` (weights to start from, without resuming) names a readable checkpoint."""
    if cfg.get('load_from') and not cfg.get('resume') and _local(cfg.load_from):
        read_checkpoint(cfg.load_from, 'load_from')


def validate_train_config(cfg: Config) -> None:
    """Every check of a training run that needs no model: values, data, teacher files, resume
    and load_from.

    Call it after ``prepare_train_config`` and before the Runner is built: a mistake is then
    reported before the start-up log. The distillation points are checked later, on one batch,
    by :class:`~mmkd_ext.hooks.DistillPointCheckHook`.

    Args:
        cfg (Config): The prepared config.
    """
    check_config_values(cfg, ('train', 'val'))
    validating = cfg.get('val_cfg') is not None and cfg.get('val_dataloader') is not None
    check_datasets(cfg, ('train_dataloader', 'val_dataloader') if validating else
                   ('train_dataloader', ))
    check_teacher_files(cfg)
    check_resume(cfg)
    check_load_from(cfg)


def validate_test_config(cfg: Config) -> None:
    """The checks of :func:`validate_train_config` that concern testing."""
    check_config_values(cfg, ('test', ))
    check_datasets(cfg, ('test_dataloader', ))
