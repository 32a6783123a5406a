"""mmkd_ext: feature knowledge distillation for mmdet 3.x, mmsegmentation 1.x and mmpretrain 1.x.

Importing the package registers every component and allow-lists the checkpoint types of the
OpenMMLab stack for ``weights_only`` loading. The layout, and which package may import which, is
described in docs/architecture.md.
"""
import importlib
import sys

from .version import __version__  # noqa: F401
from .utils.checkpoint import install_safe_checkpoint_loading

install_safe_checkpoint_loading()

from . import connectors, distillers, hooks, losses, nd  # noqa: E402,F401  (register components)
from .utils.optional import import_if_available  # noqa: E402

# Toolbox-specific parts load only where their toolbox is installed.
import_if_available('mmkd_ext.models', requires='mmpretrain')

#: Modules that moved in the 0.x re-layout: old import path -> where the code lives now.
MOVED_MODULES = {
    'mmkd_ext.utils.export': 'mmkd_ext.distillers.export',
    'mmkd_ext.utils.runtime': 'mmkd_ext.apis',
    'mmkd_ext.utils.fake_data': 'mmkd_ext.testing.fake_data',
    'mmkd_ext.utils.class_means': 'mmkd_ext.nd.class_means_file',
    'mmkd_ext.engine': 'mmkd_ext.nd.class_means_compute',
    'mmkd_ext.engine.class_means': 'mmkd_ext.nd.class_means_compute',
    'mmkd_ext.losses.nd_loss': 'mmkd_ext.nd.nd_loss',
    'mmkd_ext.connectors.nd_projector': 'mmkd_ext.nd.nd_projector',
    'mmkd_ext.hooks.class_means_hook': 'mmkd_ext.nd.class_means_hook',
}
#: Names the package ``__init__``\ s exported before the re-layout.
MOVED_NAMES = {
    'mmkd_ext.losses': ('mmkd_ext.nd', ('NDLoss', 'nd_loss')),
    'mmkd_ext.connectors': ('mmkd_ext.nd', ('NDProjector', )),
    'mmkd_ext.hooks': ('mmkd_ext.nd', ('ClassMeansHook', )),
    'mmkd_ext.utils': ('mmkd_ext.distillers', ('export_student', 'student_checkpoint',
                                               'student_config')),
}


def _keep_old_import_paths() -> None:
    """Make the pre-re-layout import paths resolve to the moved code (users' scripts use them).

    Done here, at the top of the package, so that no lower package imports an upper one.
    """
    for old, new in MOVED_MODULES.items():
        module = importlib.import_module(new)
        sys.modules.setdefault(old, module)
        parent, _, child = old.rpartition('.')
        if not hasattr(sys.modules[parent], child):
            setattr(sys.modules[parent], child, module)
    for old, (new, names) in MOVED_NAMES.items():
        source = importlib.import_module(new)
        for name in names:
            setattr(sys.modules[old], name, getattr(source, name))


_keep_old_import_paths()
