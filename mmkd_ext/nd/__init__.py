"""ND (Wang et al., arXiv 2305.17007): the loss, its projector and the teacher class means.

The class means live through four steps, all in this package: computed from the teacher
(:mod:`.class_means_compute`, run by :class:`ClassMeansHook` or ``tools/compute_class_means.py``),
written to a file that records the teacher (:mod:`.class_means_file`), checked against the run,
and loaded into :class:`NDLoss`.
"""
from .class_means_compute import (NDTarget, build_class_means_dataloader, class_means_problem,
                                  compute_class_means, find_nd_targets, install_class_means,
                                  teacher_identity, use_placeholder_class_means,
                                  write_class_means)
from .class_means_file import (ClassMeanAccumulator, load_class_means, read_class_means,
                               save_class_means, teacher_digest)
from .class_means_hook import ClassMeansHook
from .nd_loss import NDLoss, nd_loss
from .nd_projector import NDProjector

__all__ = [
    'NDTarget', 'build_class_means_dataloader', 'class_means_problem', 'compute_class_means',
    'find_nd_targets', 'install_class_means', 'teacher_identity', 'use_placeholder_class_means',
    'write_class_means',
    'ClassMeanAccumulator', 'load_class_means', 'read_class_means', 'save_class_means',
    'teacher_digest', 'ClassMeansHook', 'NDLoss', 'nd_loss', 'NDProjector'
]
