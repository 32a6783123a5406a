"""mmkd_ext: feature knowledge distillation for mmdet 3.x, mmsegmentation 1.x and mmpretrain 1.x.

Importing the package registers every component and allow-lists the checkpoint types of the
OpenMMLab stack for ``weights_only`` loading. The layout, and which package may import which, is
described in docs/architecture.md.
"""
from .version import __version__  # noqa: F401
from .checkpoint import install_safe_checkpoint_loading

install_safe_checkpoint_loading()

from . import connectors, distillers, hooks, losses, nd  # noqa: E402,F401  (register components)
from .utils.optional import import_if_available  # noqa: E402

# Toolbox-specific parts load only where their toolbox is installed.
import_if_available('mmkd_ext.models', requires='mmpretrain')
