"""Registries used by mmkd_ext.

Every component is registered in MMEngine's *root* registries. The registries of mmdet, mmseg and
mmpretrain are children of the root, and a child falls back to its parent when a name is not its own,
so a config whose ``default_scope`` is any of the three toolboxes can name our components without a
``_scope_`` prefix. Our names are chosen not to collide with the toolboxes' own (a test checks it).
"""
from mmengine.registry import HOOKS, MODELS

__all__ = ['MODELS', 'HOOKS']
