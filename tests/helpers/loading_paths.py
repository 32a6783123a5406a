"""Every way the project loads a checkpoint, fed every crafted file, in one (sub)process.

    python -m helpers.loading_paths CRAFTED_DIR OUT.json     (cwd: a toy workspace)

Each loading path is the function the tool calls, on the real toy models. The result per
(attack, path) is the error the path raised (or 'loaded'); a crash would end the process, which
is why the test runs this in a subprocess and checks its return code. URL paths get the crafted
file through the same download code, with torch.hub's downloader copying a local file.
"""
import copy
import gc
import json
import os
import os.path as osp
import shutil
import sys
import tempfile
from typing import Callable, Dict

import numpy as np
import torch

FAKE_HOST = 'https://checkpoints.invalid/'
DISTILL_CONFIG = 'kd_resnet18w32-r18w8_toy-cls.py'


def serve_from(directory: str) -> None:
    """torch.hub's downloader, replaced: URLs under FAKE_HOST are files of ``directory``."""

    def download(url, dst, hash_prefix=None, progress=True):
        assert url.startswith(FAKE_HOST), url
        shutil.copyfile(osp.join(directory, url[len(FAKE_HOST):]), dst)

    torch.hub.download_url_to_file = download


def loading_paths(work_dir: str) -> Dict[str, Callable[[str], object]]:
    """``{name: load(path)}`` for every loading path, built once on the toy classification pair."""
    from helpers.runs import toy_config
    from mmengine.config import Config
    from mmengine.runner import Runner
    from mmengine.runner.checkpoint import _load_checkpoint

    import mmkd_ext  # noqa: F401
    from mmkd_ext.analysis.report import load_student_weights
    from mmkd_ext.distillers.teacher import build_teacher_model, load_teacher_checkpoint
    from mmkd_ext.nd import read_class_means
    from mmkd_ext.distillers.export import export_student
    from mmkd_ext.apis import prepare_test_config, prepare_train_config

    cfg = Config.fromfile(toy_config(DISTILL_CONFIG))
    cfg.model.teacher.checkpoint = None
    train_cfg = copy.deepcopy(cfg)
    prepare_train_config(train_cfg, osp.join(work_dir, 'train'))
    runner = Runner.from_cfg(train_cfg)
    runner._train_loop = runner.build_train_loop(runner._train_loop)  # as Runner.train() does
    teacher = build_teacher_model(cfg.model.teacher.config)

    def test_tool(path: str) -> None:
        prepare_test_config(copy.deepcopy(cfg), path, osp.join(work_dir, 'test'))

    return {
        'torch.load after import mmkd_ext': lambda p: torch.load(p, weights_only=True),
        'mmengine _load_checkpoint': lambda p: _load_checkpoint(p, map_location='cpu'),
        'teacher loader': lambda p: load_teacher_checkpoint(teacher, p),
        'teacher loader, https://': lambda p: load_teacher_checkpoint(
            teacher, FAKE_HOST + osp.basename(p)),
        'tools/convert_to_student.py': lambda p: export_student(p, osp.join(work_dir, 's.pth')),
        'tools/test.py': test_tool,
        'tools/analyze.py': lambda p: load_student_weights(runner.model, p),
        'class-means reader': read_class_means,
        'tools/train.py --resume': runner.resume,
    }


def main() -> None:
    crafted_dir, out = sys.argv[1], sys.argv[2]
    from mmengine.logging import HistoryBuffer
    work_dir = tempfile.mkdtemp()
    os.environ['TORCH_HOME'] = osp.join(work_dir, 'torch_home')  # an empty download cache
    serve_from(crafted_dir)
    paths = loading_paths(work_dir)
    results: Dict[str, Dict[str, str]] = {}
    for name in sorted(os.listdir(crafted_dir)):
        file = osp.join(crafted_dir, name)
        for path_name, load in paths.items():
            try:
                load(file)
                outcome = 'loaded'
            except Exception as error:  # noqa: B902  (recorded and judged by the test)
                outcome = f'{type(error).__name__}: {error}'
            results.setdefault(name, {})[path_name] = outcome
            gc.collect()  # frees whatever the load left: a forged object would crash here
    results['_after'] = {
        'HistoryBuffer([1, 5, 9]).mean()': str(HistoryBuffer([1.0, 5.0, 9.0], [1, 1, 1]).mean()),
        'float64 holds objects': str(np.dtype('f8').hasobject),
    }
    with open(out, 'w') as f:
        json.dump(results, f, indent=1)


if __name__ == '__main__':
    main()
