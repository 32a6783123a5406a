"""MMEngine's checkpoint loaders (every URL scheme) replaced by ones that load safely."""
import io
import os
import os.path as osp
import re
from typing import Any, Callable, Optional
from urllib.parse import urlparse

import torch

from .loader import load_checkpoint_file

# A top-level ``gpu_ids = `` list or tuple of ints, or range(...) of ints, alone on its line(s).
_GPU_IDS = re.compile(r'^gpu_ids\s*=\s*(\[[\d,\s]*\]|\([\d,\s]*\)'
                      r'|range\(\s*\d+\s*(?:,\s*\d+\s*){0,2}\))[ \t]*$', re.M)


def resume_config_text(config: Any) -> Optional[str]:
    """What MMEngine's resume may execute of ``meta['config']``: ``gpu_ids`` alone, re-written.

    ``Runner.resume`` runs ``meta['config']`` (the config text of mmcv-1.x-era checkpoints; MMEngine
    itself saves ``meta['cfg']``) through ``Config.fromstring`` only to compare the number of GPUs
    in ``gpu_ids`` with the current world size. The assignment is found by a pattern (a list or
    tuple of ints, or ``range(...)`` of ints, at the top level), never by running the text.

    Returns:
        str | None: ``'gpu_ids = range(N)'`` with the recorded count, or None when the text has
        no such assignment (resume then skips the GPU-count check, as for MMEngine's own files).
    """
    matches = _GPU_IDS.findall(config) if isinstance(config, str) else []
    if not matches:
        return None
    value = matches[-1]  # the last assignment wins, as when Python runs the file
    if value.startswith('range'):
        try:
            count = len(range(*(int(n) for n in re.findall(r'\d+', value))))
        except (ValueError, OverflowError):
            return None
    else:
        count = len(re.findall(r'\d+', value))
    return f'gpu_ids = range({count})\n'


def _for_mmengine(checkpoint: Any) -> Any:
    """Reduce ``meta['config']`` to :func:`resume_config_text` before MMEngine sees it."""
    meta = checkpoint.get('meta') if isinstance(checkpoint, dict) else None
    if isinstance(meta, dict) and 'config' in meta:
        text = resume_config_text(meta['config'])
        if text is None:
            del meta['config']
        else:
            meta['config'] = text
    return checkpoint


def _load_from_local(filename: str, map_location: Any = None) -> Any:
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return load_checkpoint_file(filename, map_location)


def _download(url: str, model_dir: Optional[str] = None, progress: bool = True) -> str:
    """Download ``url`` into torch.hub's checkpoint cache (reused when present); return the path."""
    model_dir = model_dir or osp.join(torch.hub.get_dir(), 'checkpoints')
    os.makedirs(model_dir, exist_ok=True)
    cached = osp.join(model_dir, osp.basename(urlparse(url).path))
    if not osp.exists(cached):
        torch.hub.download_url_to_file(url, cached, None, progress=progress)
    return cached


def _load_from_http(url: str, map_location: Any = None, model_dir: Optional[str] = None,
                    progress: bool = os.isatty(0)) -> Any:
    """As MMEngine: local rank 0 downloads first; then every rank loads the cached file."""
    from mmengine.dist import get_dist_info
    rank, world_size = get_dist_info()
    if rank == 0:
        cached = _download(url, model_dir, progress)
    if world_size > 1:
        torch.distributed.barrier()
        if rank > 0:
            cached = _download(url, model_dir, progress)
    return load_checkpoint_file(cached, map_location, source=f'{url} (cached as {cached})')


def _name_after_scheme(filename: str) -> str:
    return filename.split('://', 1)[1]


def _load_from_torchvision(filename: str, map_location: Any = None) -> Any:
    from mmengine.runner.checkpoint import get_torchvision_models
    return _load_from_http(get_torchvision_models()[_name_after_scheme(filename)], map_location)


def _load_from_openmmlab(filename: str, map_location: Any = None) -> Any:
    from mmengine.runner import checkpoint as mm_checkpoint
    name = _name_after_scheme(filename)
    name = mm_checkpoint.get_deprecated_model_names().get(name, name)
    url = mm_checkpoint.get_external_models()[name]
    if url.startswith(('http://', 'https://')):
        return _load_from_http(url, map_location)
    return _load_from_local(osp.join(mm_checkpoint._get_mmengine_home(), url), map_location)


def _load_from_mmcls(filename: str, map_location: Any = None) -> Any:
    from mmengine.runner import checkpoint as mm_checkpoint
    checkpoint = _load_from_http(
        mm_checkpoint.get_mmcls_models()[_name_after_scheme(filename)], map_location)
    return mm_checkpoint._process_mmcls_checkpoint(checkpoint)


def _load_from_ceph(filename: str, map_location: Any = None) -> Any:
    from mmengine.fileio import get_file_backend
    backend = get_file_backend(filename, backend_args={'backend': 'petrel'})
    with io.BytesIO(backend.get(filename)) as buffer:
        return load_checkpoint_file(buffer, map_location, source=filename)


def _load_from_pavi(filename: str, map_location: Any = None) -> Any:
    import tempfile
    try:
        from pavi import modelcloud
    except ImportError:
        raise ImportError('Please install pavi to load checkpoint from modelcloud.')
    model = modelcloud.get(filename[len('pavi://'):])
    with tempfile.TemporaryDirectory() as tmp_dir:
        downloaded = osp.join(tmp_dir, model.name)
        model.download(downloaded)
        return load_checkpoint_file(downloaded, map_location, source=filename)


def _mmengine_loader(load: Callable) -> Callable:

    def loader(filename: str, map_location: Any = None) -> Any:
        return _for_mmengine(load(filename, map_location))

    # MMEngine logs 'Loads checkpoint by <name[10:]> backend': keep its names.
    loader.__name__ = 'load_from_' + load.__name__[len('_load_from_'):]
    return loader


# The prefixes MMEngine registers, with the loaders that replace its own.
SCHEMES = {
    '': _load_from_local,
    ('http://', 'https://'): _load_from_http,
    ('modelzoo://', 'torchvision://'): _load_from_torchvision,
    ('open-mmlab://', 'openmmlab://'): _load_from_openmmlab,
    'mmcls://': _load_from_mmcls,
    (r'(\S+\:)?s3://', r'(\S+\:)?petrel://'): _load_from_ceph,
    'pavi://': _load_from_pavi,
}


def use_safe_checkpoint_loaders() -> None:
    """Make MMEngine's ``CheckpointLoader`` (load_from, resume, init_cfg, inference APIs) safe."""
    from mmengine.runner.checkpoint import CheckpointLoader
    for prefixes, load in SCHEMES.items():
        CheckpointLoader.register_scheme(prefixes, _mmengine_loader(load), force=True)
