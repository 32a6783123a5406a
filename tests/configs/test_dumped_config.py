"""A distillation config dumped into a work dir (as MMEngine does) builds again."""
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmkd_ext.apis import build_model

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# Its top-level data_preprocessor has no `type` (mmpretrain's classifier fills it in).
CONFIG = osp.join(REPO_ROOT, 'configs', 'pefd', 'pefd_resnet34-resnet18_8xb32_in1k.py')


def test_a_dumped_and_reloaded_config_builds_the_same_preprocessor(tmp_path):
    cfg = Config.fromfile(CONFIG)
    cfg.model.teacher.checkpoint = None
    dumped = str(tmp_path / 'dumped.py')
    cfg.dump(dumped)  # a dump writes every dict out, shared ones included
    init_default_scope(cfg.default_scope)
    original = build_model(cfg).data_preprocessor
    reloaded = build_model(Config.fromfile(dumped)).data_preprocessor
    assert type(reloaded) is type(original)
    torch.testing.assert_close(reloaded.mean, original.mean)
    torch.testing.assert_close(reloaded.std, original.std)
