"""Registries used by mmkd_ext.

Every component is registered in MMEngine's *root* registries. The registries of mmdet, mmseg and
mmpretrain are children of the root, and a child falls back to its parent when a name is not its own,
so a config whose ``default_scope`` is any of the three toolboxes can name our components without a
``_scope_`` prefix. Our names are chosen not to collide with the toolboxes' own (a test checks it).
"""
from typing import Optional

from mmengine.registry import HOOKS, MODELS, DefaultScope

__all__ = ['MODELS', 'HOOKS', 'find_model_class']


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
