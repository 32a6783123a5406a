"""Training-time procedures shared by tools and hooks (e.g. the ND teacher class means)."""
from .class_means import (NDTarget, build_class_means_dataloader, class_means_problem,
                          compute_class_means, find_nd_targets, install_class_means,
                          teacher_identity, write_class_means)

__all__ = ['NDTarget', 'build_class_means_dataloader', 'class_means_problem', 'compute_class_means',
           'find_nd_targets', 'install_class_means', 'teacher_identity', 'write_class_means']
