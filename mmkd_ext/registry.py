"""Registries used by mmkd_ext, and the ``mmkd_ext`` scope of ``mmkd_ext::`` config references.

Every component is registered in MMEngine's *root* registries. The registries of mmdet, mmseg and
mmpretrain are children of the root, and a child falls back to its parent when a name is not its own,
so a config whose ``default_scope`` is any of the three toolboxes can name our components without a
``_scope_`` prefix: one distiller serves every toolbox. Our names are chosen not to collide with the
names of mmengine and the toolboxes (tests/package/test_registry.py checks it).

A config that inherits ``mmkd_ext::path`` gets ``_scope_='mmkd_ext'`` on each of that base's dicts
(MMEngine marks every dict inherited from a package that way). Importing this module therefore
(1) lets MMEngine resolve the ``mmkd_ext::`` prefix and (2) adds to each root registry an
``mmkd_ext`` child that holds nothing and looks names up in the toolbox the run is in.
"""
from typing import Optional

import mmengine.registry as mmengine_registries
from mmengine.config.utils import MODULE2PACKAGE
from mmengine.registry import HOOKS, MODELS, DefaultScope, Registry

__all__ = ['MODELS', 'HOOKS', 'SCOPE', 'find_model_class', 'run_toolbox_scope', 'RunScopeRegistry']

#: The scope that ``mmkd_ext::`` references give the dicts they bring in.
SCOPE = 'mmkd_ext'


def find_model_class(name: str, scope: Optional[str] = None) -> Optional[type]:
    """The class ``MODELS.build(dict(type=name))`` would build, or ``None`` if there is none.

    Looks up as ``build`` does: in the registry of ``scope`` (default: the current default
    scope, e.g. ``'mmdet'``) and then its parents, so our root-registered components and the
    toolbox's own are both found.
    """
    if scope is None:
        current = DefaultScope.get_current_instance()
        scope = current.scope_name if current is not None else None
    with MODELS.switch_scope_and_registry(scope) as registry:
        return registry.get(name)


def run_toolbox_scope() -> Optional[str]:
    """The default scope of the run around an ``mmkd_ext`` scope, e.g. ``'mmdet'``; None if none.

    ``DefaultScope`` keeps its instances in creation order, and building a dict with a ``_scope_``
    adds one for the build and removes it afterwards: the innermost scope that is not ours is the
    toolbox the run is in (the Runner's one is the config's ``default_scope``).
    """
    for instance in reversed(list(DefaultScope._instance_dict.values())):
        if instance.scope_name != SCOPE:
            return instance.scope_name
    return None


class RunScopeRegistry(Registry):
    """The ``mmkd_ext`` node of one MMEngine registry tree: it stands for the run's toolbox.

    mmkd_ext is no toolbox of its own: its configs name the components of the toolbox they run in
    (``CocoDataset``, ``FasterRCNN``, ``CocoMetric``) beside ours, which live in the root. A
    name without a scope prefix is looked up in the registry of :func:`run_toolbox_scope` and its
    parents, so a dict that an ``mmkd_ext::`` base brings in builds as in our own config files.
    """

    def get(self, key: str) -> Optional[type]:
        scope, _ = self.split_scope_key(key)
        toolbox = run_toolbox_scope()
        if scope is not None or toolbox is None:
            return super().get(key)
        registry = self._get_root_registry()._search_child(toolbox)
        return super().get(key) if registry is None else registry.get(key)


def _register_scope() -> None:
    """Make ``mmkd_ext::path`` resolvable and add the ``mmkd_ext`` node to every root registry.

    MMEngine finds a package's ``.mim/`` through :data:`MODULE2PACKAGE`, which maps the prefix to
    the *distribution* name and looks the distribution's location up in pkg_resources. An editable
    install (PEP 660) has its location in site-packages, not in the checkout. The name of this
    module is importable but no distribution's, so MMEngine falls back to ``find_spec``, which
    finds the folder of the mmkd_ext that Python imports, installed as a wheel, editable or on
    ``PYTHONPATH``.
    """
    MODULE2PACKAGE.setdefault(SCOPE, __name__)
    for name in mmengine_registries.__all__:
        root = getattr(mmengine_registries, name)
        if isinstance(root, Registry) and root.parent is None and SCOPE not in root.children:
            # locations: importing mmkd_ext registers everything (else MMEngine would look for
            # mmkd_ext.utils.register_all_modules, the toolboxes' convention).
            RunScopeRegistry(root.name, parent=root, scope=SCOPE, locations=[SCOPE])


_register_scope()
