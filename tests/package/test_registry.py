"""Registry hygiene: our names shadow nothing of mmengine, mmcv, mmdet, mmseg or mmpretrain; every
component builds from each toolbox's default scope; ``mmkd_ext::`` references resolve."""
import os.path as osp
from typing import Dict, Iterator

import mmengine.registry as mmengine_registries
import pytest
from mmengine.config import Config
from mmengine.registry import DefaultScope, Registry

import mmkd_ext
from mmkd_ext.registry import MODELS, SCOPE, RunScopeRegistry, run_toolbox_scope

TOOLBOXES = ('mmdet', 'mmseg', 'mmpretrain')
CHECKOUT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def root_registries() -> Iterator[Registry]:
    for name in mmengine_registries.__all__:
        registry = getattr(mmengine_registries, name)
        if isinstance(registry, Registry) and registry.parent is None:
            yield registry


def descendants(registry: Registry) -> Iterator[Registry]:
    for child in registry.children.values():
        yield child
        yield from descendants(child)


@pytest.fixture(scope='module')
def ours() -> Dict[str, Dict[str, type]]:
    """``{root registry name: {name: class}}`` of every component mmkd_ext registers, with every
    module of mmengine and of the three toolboxes registered too."""
    import mmengine.runner  # noqa: F401  (imports mmengine's hooks, optimizers, loops, models)
    from mmdet.utils import register_all_modules as register_det
    from mmpretrain.utils import register_all_modules as register_cls
    from mmseg.utils import register_all_modules as register_seg
    for register in (register_det, register_seg, register_cls):
        register(init_default_scope=False)
    import mmkd_ext.models  # noqa: F401  (the mmpretrain backbones)
    found = {}
    for registry in root_registries():
        names = {name: cls for name, cls in registry.module_dict.items()
                 if getattr(cls, '__module__', '').startswith('mmkd_ext.')}
        if names:
            found[registry.name] = names
    assert {'model', 'hook'} <= set(found), found.keys()
    return found


def test_no_name_of_ours_shadows_or_is_shadowed(ours):
    """A toolbox's registry is searched before the root, where ours live: a name of theirs that
    equals one of ours would silently replace our component under that toolbox's scope."""
    for registry in root_registries():
        for name, cls in ours.get(registry.name, {}).items():
            # The root still holds our class: nothing of mmengine (or force=True) replaced it.
            assert registry.module_dict[name] is cls, (registry.name, name)
            for child in descendants(registry):
                assert name not in child.module_dict, \
                    f'{registry.name} registry of {child.scope} also registers {name}'


@pytest.mark.parametrize('scope', TOOLBOXES)
def test_every_component_builds_from_a_toolbox_default_scope(ours, scope):
    for registry in root_registries():
        for name, cls in ours.get(registry.name, {}).items():
            with registry.switch_scope_and_registry(scope) as scoped:
                assert scoped.scope == scope and scoped.get(name) is cls, (scope, name)


def test_the_mmkd_ext_scope_looks_names_up_in_the_run_toolbox():
    node = MODELS._search_child(SCOPE)
    assert isinstance(node, RunScopeRegistry) and not node.module_dict
    with DefaultScope.overwrite_default_scope('mmdet'):
        with MODELS.switch_scope_and_registry(SCOPE) as registry:
            assert registry is node and run_toolbox_scope() == 'mmdet'
            assert registry.get('FasterRCNN').__module__.startswith('mmdet.')
            assert registry.get('FeatureDistiller') is MODELS.get('FeatureDistiller')
            assert registry.get('mmseg.EncoderDecoder').__module__.startswith('mmseg.')
    with DefaultScope.overwrite_default_scope('mmseg'):
        with MODELS.switch_scope_and_registry(SCOPE) as registry:
            assert registry.get('ResNetV1c').__module__.startswith('mmseg.')


def test_a_user_config_inherits_our_configs(tmp_path):
    """``mmkd_ext::`` in ``_base_`` and in ``teacher.config`` finds this package's configs (the
    editable install's links, or a wheel's copy) and the inherited dicts build in mmdet's scope."""
    user = tmp_path / 'my_distill.py'
    user.write_text("_base_ = ['mmkd_ext::toy/mse_faster-rcnn_r18w32-r18w8_fpn_toy-det.py']\n"
                    "model = dict(teacher=dict(\n"
                    "    config='mmkd_ext::toy/faster-rcnn_r18-w32_fpn_toy-det.py', "
                    "checkpoint=None))\n")
    cfg = Config.fromfile(str(user))
    assert cfg.model._scope_ == SCOPE and cfg.train_dataloader.dataset._scope_ == SCOPE
    package = osp.dirname(mmkd_ext.__file__)
    assert osp.samefile(osp.join(package, '.mim', 'configs'), osp.join(CHECKOUT, 'configs'))
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(cfg.model)
        from mmengine.registry import DATASETS
        with DATASETS.switch_scope_and_registry(cfg.train_dataloader.dataset._scope_) as registry:
            assert registry.get(cfg.train_dataloader.dataset.type).__module__.startswith('mmdet.')
    assert type(model).__name__ == 'FeatureDistiller'
    assert type(model.student).__name__ == 'FasterRCNN'
