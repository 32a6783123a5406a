"""Compute, check and install the teacher class means of a distiller's ND losses.

One implementation for ``tools/compute_class_means.py`` and :class:`~mmkd_ext.nd.ClassMeansHook`:

* :func:`find_nd_targets` lists the ND losses of a built distiller and how to get the teacher
  embeddings each one needs (:class:`NDTarget`):

  - a distillation point whose loss is ``NDLoss`` (classification): the teacher record of the point
    (the globally pooled penultimate feature, e.g. ``'neck[-1]'`` of an ``ImageClassifier`` with
    ``GlobalAveragePooling``), labelled with the images' ground-truth classes;
  - the ``roi_nd`` loss of a :class:`~mmkd_ext.distillers.RoIDistiller` (Faster R-CNN): the
    teacher's shared-FC embeddings of its OWN sampled RoIs (its RPN proposals plus the gt boxes,
    positives and background, as its training sampler draws them), labelled with the sampled
    labels (background = ``num_classes``); see :meth:`RoIDistiller.teacher_sampled_roi_embeddings`.

* :func:`compute_class_means` streams the training split (WITH its augmentation, as the ND paper
  does) through the frozen teacher in eval mode, shard by shard when distributed, and merges the
  per-class sums over ranks; :func:`write_class_means` also saves the files (rank 0) with the
  teacher's identity (digest, config, checkpoint) and the layer.
* :func:`class_means_problem` says whether an existing file fits the run;
  :func:`install_class_means` makes each ND loss expect this teacher and load its file.
"""
import copy
import os.path as osp
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.dist import barrier, get_rank, is_main_process
from mmengine.model import is_model_wrapper
from mmengine.utils import ProgressBar
from torch import Tensor

from ..distillers.feature_distiller import FeatureDistiller
from ..distillers.roi_distiller import RoIDistiller
from ..losses.utils import gt_labels_from_data_samples
from ..utils.errors import InputError
from .class_means_file import (ClassMeanAccumulator, check_class_means_record, read_class_means,
                               save_class_means, teacher_digest)
from .nd_loss import NDLoss

#: ``(inputs, data_samples) -> (embeddings (N, D), labels (N,))`` for one preprocessed batch.
EmbedFn = Callable[[Tensor, List], Tuple[Tensor, Tensor]]


class NDTarget(NamedTuple):
    """One ND loss of a distiller and how to compute its class means.

    Attributes:
        name (str): The distillation point's name (``'roi_nd'`` for the RoI path).
        loss (NDLoss): The loss; its ``class_means_path`` is where the means are written.
        layer (str): The teacher record the embeddings come from (stored in the file).
        num_classes (int): K (K + 1 for the RoI path, background included).
        embed (EmbedFn): Teacher embeddings and labels of one preprocessed batch.
    """
    name: str
    loss: NDLoss
    layer: str
    num_classes: int
    embed: EmbedFn


def unwrap_model(model: nn.Module) -> nn.Module:
    """The distiller inside an MMEngine model wrapper (DDP, FSDP, ...)."""
    return model.module if is_model_wrapper(model) else model


def record_spec(module: str, index: Tuple[int, ...]) -> str:
    """``('neck', (-1,))`` → ``'neck[-1]'`` (the record syntax of the configs)."""
    return module + ''.join(f'[{i}]' for i in index)


def _point_embed_fn(distiller: FeatureDistiller, module: str, index: Tuple[int, ...]) -> EmbedFn:
    """Embeddings = the teacher's record ``module[index]``; labels = the images' ``gt_label``."""

    def embed(inputs: Tensor, data_samples: List) -> Tuple[Tensor, Tensor]:
        records = distiller.teacher.record(inputs, data_samples)
        feats = records.get(module, index)
        if not isinstance(feats, Tensor):
            raise TypeError(f'The teacher record "{record_spec(module, index)}" of an ND point '
                            f'must be a tensor (B, D); add an output index (e.g. "neck[-1]").')
        return feats.flatten(1), gt_labels_from_data_samples(data_samples, feats.device)

    return embed


def find_nd_targets(distiller: nn.Module) -> List[NDTarget]:
    """The ND losses of a built distiller: points with an ``NDLoss``, a RoIDistiller's ``roi_nd``.

    Args:
        distiller (nn.Module): A :class:`FeatureDistiller` (or subclass), possibly wrapped.

    Returns:
        list[NDTarget]: Possibly empty.
    """
    distiller = unwrap_model(distiller)
    if not isinstance(distiller, FeatureDistiller):
        raise TypeError(f'Class means are computed for a distiller (FeatureDistiller or a '
                        f'subclass), not for a {type(distiller).__name__}.')
    targets = []
    for name, point in distiller.points.items():
        if not isinstance(point.loss, NDLoss):
            continue
        num_classes = point.loss.expected.get('num_classes') or getattr(
            getattr(distiller.student, 'head', None), 'num_classes', None)
        if num_classes is None:
            raise ValueError(f'Distillation point "{name}": cannot tell the number of classes; set '
                             f'num_classes in its NDLoss.')
        module, index = point.teacher_module, point.teacher_index
        targets.append(NDTarget(name, point.loss, record_spec(module, index), int(num_classes),
                                _point_embed_fn(distiller, module, index)))
    if isinstance(distiller, RoIDistiller) and distiller.roi_nd is not None:
        targets.append(NDTarget('roi_nd', distiller.roi_nd, distiller.roi_embedding_layer,
                                int(distiller.roi_nd.expected['num_classes']),
                                distiller.teacher_sampled_roi_embeddings))
    return targets


def teacher_identity(distiller: nn.Module, teacher_cfg: Mapping[str, Any]) -> Dict[str, str]:
    """What a class-means file records about the teacher, for writing and for checking.

    Args:
        distiller (nn.Module): The built distiller (its teacher is loaded).
        teacher_cfg (Mapping): The config's ``model.teacher`` (``config``, ``checkpoint``, ...).

    Returns:
        dict: ``teacher_digest`` (of the local checkpoint file, else of the loaded weights),
        ``teacher_config`` and ``teacher_checkpoint``.
    """
    distiller = unwrap_model(distiller)
    checkpoint = teacher_cfg.get('checkpoint')
    local = checkpoint if checkpoint and osp.isfile(str(checkpoint)) else None
    config = teacher_cfg.get('config') or '<model dict>'
    return dict(teacher_digest=teacher_digest(local, distiller.teacher.model),
                teacher_config=str(config), teacher_checkpoint=str(checkpoint))


def _expected(target: NDTarget, identity: Mapping[str, str]) -> Dict[str, Any]:
    return dict(teacher_digest=identity['teacher_digest'], layer=target.layer,
                num_classes=target.num_classes, embed_dim=target.loss.expected.get('embed_dim'))


def class_means_problem(target: NDTarget, identity: Mapping[str, str]) -> Optional[str]:
    """Why the target's class-means file does not fit this run, or ``None`` if it does.

    Returns:
        str | None: ``'missing'`` when there is no file, the validation message on a mismatch
        (another teacher, layer or shape, or not a class-means file), ``None`` when it fits.
    """
    path = target.loss.class_means_path
    if path is None:
        raise ValueError(f'The NDLoss of "{target.name}" names no class-means file: set '
                         f'class_means=<path> in its config so the means can be written there.')
    if not osp.isfile(path):
        return 'missing'
    try:
        check_class_means_record(read_class_means(path), _expected(target, identity), path)
    except ValueError as err:
        return str(err)
    return None


def build_class_means_dataloader(dataloader_cfg: Mapping, seed: Optional[int] = None,
                                 shuffle: bool = False):
    """The training loader, every sample exactly once over all ranks, augmentation kept.

    The sampler becomes ``DefaultSampler(shuffle=shuffle, round_up=False)``: an infinite sampler
    would never end, and ``round_up`` would count a few samples twice; ``drop_last`` is turned off
    so that the last, partial batch counts too. The order does not matter for a full pass; a
    partial one (``max_iters``) should shuffle, or it sees only the first classes of a split
    stored class by class.

    Args:
        dataloader_cfg (Mapping): The config's ``train_dataloader``.
        seed (int, optional): Seed of the workers (the augmentation's randomness) and of the
            shuffle.
        shuffle (bool): Visit the samples in a (seeded) random order. Defaults to False.

    Returns:
        DataLoader: The loader.
    """
    from mmengine.runner import Runner
    cfg = copy.deepcopy(dict(dataloader_cfg))
    cfg['sampler'] = dict(type='DefaultSampler', shuffle=shuffle, round_up=False, seed=seed)
    cfg.pop('drop_last', None)
    if isinstance(cfg.get('batch_sampler'), dict):
        cfg['batch_sampler'] = dict(cfg['batch_sampler'], drop_last=False)
    return Runner.build_dataloader(cfg, seed=seed)


@torch.no_grad()
def compute_class_means(distiller: nn.Module,
                        dataloader,
                        targets: List[NDTarget],
                        max_iters: Optional[int] = None,
                        progress: bool = True) -> Dict[str, ClassMeanAccumulator]:
    """Accumulate the teacher embeddings per class over ``dataloader`` and merge over ranks.

    The teacher is always in eval mode (the frozen teacher); batches go through the distiller's
    data preprocessor in test mode (normalisation and padding, but no batch augmentation such as
    Mixup, whose mixed labels have no class), then to the teacher exactly as during distillation.

    Args:
        distiller (nn.Module): The built distiller (possibly wrapped), on its device.
        dataloader: Batches of the training split (see :func:`build_class_means_dataloader`).
        targets (list[NDTarget]): What to compute (see :func:`find_nd_targets`).
        max_iters (int, optional): Stop after this many batches per rank (a partial mean; for
            tests and quick looks).
        progress (bool): Show a progress bar on rank 0. Defaults to True.

    Returns:
        dict[str, ClassMeanAccumulator]: Per target name, the merged sums and counts.
    """
    distiller = unwrap_model(distiller)
    total = len(dataloader) if max_iters is None else min(len(dataloader), max_iters)
    bar = ProgressBar(total) if progress and is_main_process() and total > 0 else None
    device = next(iter(distiller.teacher.model.parameters())).device
    accumulators: Dict[str, ClassMeanAccumulator] = {}
    for step, batch in enumerate(dataloader):
        if step >= total:
            break
        data = distiller.data_preprocessor(batch, False)
        for target in targets:
            embeddings, labels = target.embed(data['inputs'], data['data_samples'])
            if target.name not in accumulators:
                accumulators[target.name] = ClassMeanAccumulator(target.num_classes,
                                                                 embeddings.shape[1], device)
            accumulators[target.name].update(embeddings, labels)
        if bar is not None:
            bar.update()
    if bar is not None:
        bar.file.write('\n')
    for target in targets:
        if target.name not in accumulators:
            # This rank saw no batch (a tiny split over many ranks); it still joins the merge.
            dim = target.loss.expected.get('embed_dim')
            if dim is None:
                raise RuntimeError(f'Rank {get_rank()} got no batch for "{target.name}" and its '
                                   f'NDLoss sets no embed_dim; set embed_dim in the config.')
            accumulators[target.name] = ClassMeanAccumulator(target.num_classes, dim, device)
        accumulators[target.name].all_reduce()
    return accumulators


def write_class_means(distiller: nn.Module,
                      dataloader,
                      targets: List[NDTarget],
                      identity: Mapping[str, str],
                      max_iters: Optional[int] = None,
                      allow_missing: bool = False,
                      progress: bool = True) -> Dict[str, Tensor]:
    """Compute the class means of ``targets`` and write each to its NDLoss's file.

    Every rank computes its shard; rank 0 writes (atomically) and the others wait at a barrier, so
    the files exist everywhere (on a shared file system) when this returns.

    Args:
        distiller, dataloader, targets, max_iters, progress: See :func:`compute_class_means`.
        identity (Mapping): :func:`teacher_identity` of the teacher.
        allow_missing (bool): Store zero means for classes never seen instead of raising.

    Returns:
        dict[str, Tensor]: Per target name, the ``(K, D)`` means that were written.
    """
    accumulators = compute_class_means(distiller, dataloader, targets, max_iters, progress)
    partial = max_iters is not None and max_iters < len(dataloader)
    cause = (f'only {max_iters} of the {len(dataloader)} batches were read (max_iters / '
             f'--max-iters): read more batches, or all of them' if partial else None)
    written = {}
    for target in targets:
        acc = accumulators[target.name]
        means = acc.means(allow_missing=allow_missing, cause=cause)
        written[target.name] = means
        if is_main_process():
            save_class_means(target.loss.class_means_path, means, acc.counts, layer=target.layer,
                             **identity)
    barrier()
    return written


def install_class_means(targets: List[NDTarget], identity: Mapping[str, str]) -> None:
    """(Re)load each ND loss's file and make the loss expect this teacher, layer and shape.

    Loading first replaces means a loss may have read at construction (possibly from a file that was
    rewritten since); :meth:`NDLoss.update_expected` then checks the loaded record at once, and
    every later reload, against this run's teacher.
    """
    for target in targets:
        target.loss.load()
    expect_teacher(targets, identity)


def expect_teacher(targets: List[NDTarget], identity: Mapping[str, str]) -> None:
    """Make each ND loss expect this teacher, layer and shape; a loaded file is checked at once.

    Raises:
        InputError: Naming the point, the file and the field that differs, when a loaded file
            was computed for another teacher, layer or shape.
    """
    for target in targets:
        try:
            target.loss.update_expected(**_expected(target, identity))
        except ValueError as err:
            raise InputError(f'The ND loss of "{target.name}": {err}') from None


def check_class_means_teacher(distiller: nn.Module) -> None:
    """Refuse class means computed for another teacher, also when no ClassMeansHook runs.

    :class:`~mmkd_ext.nd.ClassMeansHook` checks the files before training; without it, a file
    from another teacher (or layer) would be used silently. The distiller calls this at its first
    training step (it is one of ``FeatureDistiller.first_step_checks``): each ND loss is told this
    run's teacher digest, layer and shape, so a loaded file is checked now and a lazily loaded one
    when it is read. Losses that already expect a teacher (the hook ran, or the config names
    ``teacher_digest``) are left as they are.

    Args:
        distiller (nn.Module): The built distiller (possibly wrapped).
    """
    distiller = unwrap_model(distiller)
    targets = [t for t in find_nd_targets(distiller) if not t.loss.expected.get('teacher_digest')]
    if targets:
        expect_teacher(targets, teacher_identity(distiller, distiller.teacher_cfg))


if check_class_means_teacher not in FeatureDistiller.first_step_checks:
    FeatureDistiller.first_step_checks.append(check_class_means_teacher)


@torch.no_grad()
def use_placeholder_class_means(distiller: nn.Module, inputs: Tensor, data_samples: List,
                                seed: int = 0) -> List[str]:
    """Give every ND loss random unit-norm class means, for runs that only time the steps.

    A timing run with a random teacher (``tools/benchmark.py --random-teacher``) needs means of
    the right shape, not the teacher's: a file computed for the trained teacher would be refused
    for the random one, and computing means would stream the data set. The width is that of
    the teacher's embeddings of ``inputs``.

    Args:
        distiller (nn.Module): The built distiller (possibly wrapped).
        inputs (Tensor): A preprocessed batch ``(B, 3, H, W)``.
        data_samples (list): Its data samples (labels; boxes for the RoI path).
        seed (int): Seed of the local generator (the global RNG is untouched).

    Returns:
        list[str]: The names of the ND losses given placeholder means.
    """
    gen = torch.Generator().manual_seed(seed)
    names = []
    for target in find_nd_targets(distiller):
        embed_dim = target.loss.expected.get('embed_dim') or target.embed(
            inputs, data_samples)[0].shape[1]
        means = torch.randn(target.num_classes, int(embed_dim), generator=gen)
        target.loss.set_class_means(nn.functional.normalize(means, dim=1))
        target.loss.expected['teacher_digest'] = 'placeholder'  # nothing to check at step 1
        names.append(target.name)
    return names
