"""mmkd_ext: feature knowledge distillation for OpenMMLab 3.x."""
from .version import __version__  # noqa: F401
