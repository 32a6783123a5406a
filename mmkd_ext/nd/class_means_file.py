"""Teacher class means for the ND loss: the file format, its validation and a streaming accumulator.

File format (version 1): a ``torch.save``'d dict, loadable with ``torch.load(weights_only=True)``::

    {
        'class_means': Tensor[K, D] float32,   # unnormalised per-class mean teacher embedding
        'counts': Tensor[K] long,              # embeddings averaged per class
        'num_classes': int,                    # K (K + 1 for detection: background = index K)
        'embed_dim': int,                      # D
        'layer': str,                          # teacher record: module name + output index, 'neck[0]'
        'teacher_config': str,
        'teacher_checkpoint': str,
        'teacher_digest': str,                 # see teacher_digest()
        'version': 1,
    }

The released ND code hard-coded one class-mean file per teacher, which made it easy to distil against
the means of another teacher. Here the file records which teacher (digest), which layer and which
shapes it was computed for, and :func:`load_class_means` refuses a file whose record differs from what
the caller expects.
"""
import os
import os.path as osp
import tempfile
import warnings
from typing import Any, Dict, List, Mapping, Optional, Union

import torch
import torch.distributed as dist
import torch.nn as nn
from torch import Tensor

from ..checkpoint import load_checkpoint_file
from ..utils.digest import file_digest, state_dict_digest
from ..utils.errors import InputError

CLASS_MEANS_VERSION = 1

#: Fields that :func:`load_class_means` can compare with the caller's expectations.
CHECKABLE_FIELDS = ('teacher_digest', 'layer', 'num_classes', 'embed_dim', 'teacher_config',
                    'teacher_checkpoint')
_REQUIRED_FIELDS = ('class_means', 'counts', 'num_classes', 'embed_dim', 'layer', 'teacher_config',
                    'teacher_checkpoint', 'teacher_digest', 'version')
_RECOMPUTE_HINT = ('Recompute the class means for this teacher with tools/compute_class_means.py '
                   'CONFIG, or add dict(type=\'ClassMeansHook\', on_mismatch=\'recompute\') to '
                   'custom_hooks (it computes them before training), or point the config at the file '
                   'computed for this teacher.')


def teacher_digest(checkpoint: Optional[str] = None, model: Optional[nn.Module] = None) -> str:
    """The digest recorded in (and checked against) a class-means file.

    The SHA-256 of the checkpoint file's bytes when ``checkpoint`` is a local file, otherwise the
    :func:`state_dict_digest` of ``model``. The tool that writes the file and the code that checks it
    must both call this function with the same kind of arguments, so the two digests are comparable.

    Args:
        checkpoint (str, optional): Path of the teacher checkpoint.
        model (nn.Module, optional): The teacher, used when there is no local checkpoint file.

    Returns:
        str: 16 hex characters.

    Raises:
        ValueError: If neither a local checkpoint file nor a model is given.
    """
    if checkpoint and osp.isfile(checkpoint):
        return file_digest(checkpoint)
    if model is not None:
        return state_dict_digest(model)
    raise ValueError(f'teacher_digest needs a local checkpoint file or the teacher model; got '
                     f'checkpoint={checkpoint!r} (not a local file) and no model.')


def save_class_means(path: str,
                     class_means: Tensor,
                     counts: Tensor,
                     layer: str,
                     teacher_config: str,
                     teacher_checkpoint: str,
                     teacher_digest: str) -> None:
    """Write a class-means file (format version 1, see the module docstring).

    The file is written to a temporary name in the same directory and then renamed, so a process that
    loads it concurrently (another rank, a lazily loading loss) never sees a half-written file. Call it
    from one rank only.

    Args:
        path (str): Destination; parent directories are created.
        class_means (Tensor): ``(K, D)`` unnormalised class means (stored as float32 on the CPU).
        counts (Tensor): ``(K,)`` number of embeddings averaged per class.
        layer (str): Teacher module name + output index the embeddings came from.
        teacher_config (str): Teacher config path (recorded for humans; not a strong identity).
        teacher_checkpoint (str): Teacher checkpoint path or URL.
        teacher_digest (str): :func:`teacher_digest` of the teacher.
    """
    if class_means.dim() != 2:
        raise ValueError(f'class_means must be (K, D), got shape {tuple(class_means.shape)}')
    num_classes, embed_dim = class_means.shape
    if tuple(counts.shape) != (num_classes, ):
        raise ValueError(f'counts must be ({num_classes},) to match class_means '
                         f'{tuple(class_means.shape)}, got {tuple(counts.shape)}')
    record = {
        'class_means': class_means.detach().to('cpu', torch.float32).contiguous(),
        'counts': counts.detach().to('cpu', torch.long).contiguous(),
        'num_classes': int(num_classes),
        'embed_dim': int(embed_dim),
        'layer': str(layer),
        'teacher_config': str(teacher_config),
        'teacher_checkpoint': str(teacher_checkpoint),
        'teacher_digest': str(teacher_digest),
        'version': CLASS_MEANS_VERSION,
    }
    directory = osp.dirname(osp.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix='.class_means_', suffix='.tmp', dir=directory)
    try:
        with os.fdopen(fd, 'wb') as f:
            torch.save(record, f)
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


def read_class_means(path: str) -> Dict[str, Any]:
    """Load and structurally validate a class-means file.

    Args:
        path (str): The file.

    Returns:
        dict: The full record (see the module docstring).

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If it is not a valid version-1 class-means file.
        UnsafeCheckpointError: If it asks for more than data (see ``mmkd_ext/checkpoint/``).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'Class-means file {path!r} does not exist. {_RECOMPUTE_HINT}')
    record = load_checkpoint_file(path, map_location='cpu')
    if not isinstance(record, dict):
        raise ValueError(f'{path!r} is not a class-means file (expected a dict, got '
                         f'{type(record).__name__}).')
    missing = [k for k in _REQUIRED_FIELDS if k not in record]
    if missing:
        raise ValueError(f'{path!r} is not a class-means file: missing fields {missing}. '
                         f'{_RECOMPUTE_HINT}')
    if record['version'] != CLASS_MEANS_VERSION:
        raise ValueError(f'{path!r} has class-means format version {record["version"]}, this code reads '
                         f'version {CLASS_MEANS_VERSION}. {_RECOMPUTE_HINT}')
    means = record['class_means']
    shape = (record['num_classes'], record['embed_dim'])
    if not isinstance(means, Tensor) or tuple(means.shape) != shape:
        got = tuple(means.shape) if isinstance(means, Tensor) else type(means).__name__
        raise ValueError(f'{path!r} is corrupt: class_means is {got} but the file records '
                         f'num_classes={shape[0]}, embed_dim={shape[1]}. {_RECOMPUTE_HINT}')
    return record


def check_class_means_record(record: Mapping[str, Any], expected: Optional[Mapping[str, Any]],
                             path: str = '<class means>') -> None:
    """Compare a record's identity fields with ``expected``; ``None`` values are not checked.

    Args:
        record (Mapping): A record from :func:`read_class_means` (or its metadata).
        expected (Mapping, optional): Values among :data:`CHECKABLE_FIELDS`, e.g.
            ``dict(teacher_digest=..., layer=..., num_classes=K, embed_dim=D)``.
        path (str): Shown in the message.

    Raises:
        ValueError: Naming the first differing field, both values and how to fix it; or on a key of
            ``expected`` that the file does not record (a typo would otherwise disable the check).
    """
    for field, want in (expected or {}).items():
        if field not in CHECKABLE_FIELDS:
            raise ValueError(f'Cannot check class-means field {field!r}; checkable fields are '
                             f'{list(CHECKABLE_FIELDS)}.')
        if want is None:
            continue
        have = record[field]
        if have != want:
            raise InputError(f'Class-means file {path!r} does not match this run: field {field!r} is '
                             f'{have!r} in the file but {want!r} is expected. {_RECOMPUTE_HINT}')


def load_class_means(path: str, expected: Optional[Mapping[str, Any]] = None) -> Tensor:
    """Load the ``(K, D)`` float32 class means, refusing a file recorded for another teacher/layer/shape.

    Args:
        path (str): The class-means file.
        expected (Mapping, optional): Fields to check (see :func:`check_class_means_record`), e.g.
            ``dict(teacher_digest=teacher_digest(ckpt), layer='neck[0]', num_classes=1000,
            embed_dim=2048)``.

    Returns:
        Tensor: ``(K, D)`` float32 class means on the CPU.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If the file is invalid or a checked field differs.
    """
    record = read_class_means(path)
    check_class_means_record(record, expected, path)
    return record['class_means'].float()


class ClassMeanAccumulator:
    """Streaming per-class mean of embeddings, with a cross-rank merge.

    Sums are kept in float64 so that averaging over a whole training set (ImageNet: ~1300 embeddings per
    class, 1.28 M in all) does not accumulate float32 rounding error.

    Unseen classes: :meth:`means` raises by default, because a class with no embedding nearly always
    means a wrong dataset, label mapping or ``num_classes``; ``allow_missing=True`` returns zero rows for
    them with a warning. A zero class mean makes the ND loss of a sample of that class a constant 1 with
    no gradient (its direction is undefined), i.e. such samples are simply not distilled.

    Distributed use: every rank updates with its own shard, then every rank calls :meth:`all_reduce`
    once. Note that MMEngine's ``DefaultSampler(round_up=True)`` repeats a few samples to even out the
    shards; use ``round_up=False`` for an exact mean.

    Args:
        num_classes (int): K (K + 1 for detection, background = index K).
        embed_dim (int): D.
        device (str | torch.device): Where the sums live. Defaults to ``'cpu'``.
    """

    def __init__(self, num_classes: int, embed_dim: int,
                 device: Union[str, torch.device] = 'cpu') -> None:
        self.num_classes = num_classes
        self.embed_dim = embed_dim
        self.sums = torch.zeros(num_classes, embed_dim, dtype=torch.float64, device=device)
        self.counts = torch.zeros(num_classes, dtype=torch.long, device=device)
        self._reduced = False

    @torch.no_grad()
    def update(self, embeddings: Tensor, labels: Tensor) -> None:
        """Add a batch.

        Args:
            embeddings (Tensor): ``(N, D)`` (or ``(N, D, 1, 1)``) embeddings.
            labels (Tensor): ``(N,)`` integer class indices in ``[0, K)``.
        """
        if self._reduced:
            raise RuntimeError('ClassMeanAccumulator.update() after all_reduce(): the merged sums would '
                               'be counted again by the next merge; create a new accumulator.')
        if embeddings.dim() > 2 and all(s == 1 for s in embeddings.shape[2:]):
            embeddings = embeddings.flatten(1)
        labels = labels.reshape(-1)
        if embeddings.dim() != 2 or embeddings.shape[1] != self.embed_dim:
            raise ValueError(f'ClassMeanAccumulator expects (N, {self.embed_dim}) embeddings, got '
                             f'{tuple(embeddings.shape)}')
        if labels.numel() != embeddings.shape[0]:
            raise ValueError(f'{labels.numel()} labels for {embeddings.shape[0]} embeddings')
        if labels.numel() == 0:
            return
        labels = labels.to(self.sums.device, torch.long)
        low, high = int(labels.min()), int(labels.max())
        if low < 0 or high >= self.num_classes:
            raise ValueError(f'labels must lie in [0, {self.num_classes}), got range [{low}, {high}]')
        self.sums.index_add_(0, labels, embeddings.detach().to(self.sums.device, torch.float64))
        self.counts += torch.bincount(labels, minlength=self.num_classes)

    def all_reduce(self) -> 'ClassMeanAccumulator':
        """Sum the per-rank sums and counts over all ranks (no-op when not distributed).

        Call it exactly once on every rank, after the last :meth:`update`.

        Returns:
            ClassMeanAccumulator: ``self``.
        """
        if self._reduced:
            raise RuntimeError('ClassMeanAccumulator.all_reduce() called twice; the sums would be '
                               'multiplied by the world size.')
        self._reduced = True
        if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
            return self
        # NCCL reduces CUDA tensors only; gloo/mpi take CPU tensors.
        backend = str(dist.get_backend()).lower()
        comm = (torch.device('cuda', torch.cuda.current_device()) if 'nccl' in backend
                else torch.device('cpu'))
        for name in ('sums', 'counts'):
            value = getattr(self, name)
            buf = value.to(comm)
            dist.all_reduce(buf, op=dist.ReduceOp.SUM)
            setattr(self, name, buf.to(value.device))
        return self

    def missing_classes(self) -> List[int]:
        """Indices of the classes with no embedding so far."""
        return torch.nonzero(self.counts == 0).flatten().tolist()

    def means(self, allow_missing: bool = False, cause: Optional[str] = None) -> Tensor:
        """The ``(K, D)`` float32 class means (on the accumulator's device).

        Args:
            allow_missing (bool): Return zero rows for unseen classes (with a warning) instead of
                raising. Defaults to False.
            cause (str, optional): The known reason for unseen classes (e.g. a partial pass over
                the data), reported instead of the usual suspects.

        Raises:
            ValueError: If a class was never seen and ``allow_missing`` is False.
        """
        missing = self.missing_classes()
        if missing:
            shown = missing[:10] + (['...'] if len(missing) > 10 else [])
            why = cause or 'check the dataset split, the label mapping and num_classes'
            msg = f'{len(missing)} of {self.num_classes} classes have no embedding: {shown}; {why}'
            if not allow_missing:
                raise InputError(msg + '; or pass allow_missing=True (--allow-missing) to store '
                                 'zero means for them.')
            warnings.warn(msg + '; their class means are stored as zeros (the ND loss then ignores '
                          'samples of those classes).')
        return (self.sums / self.counts.clamp_min(1).unsqueeze(1).to(self.sums.dtype)).float()
