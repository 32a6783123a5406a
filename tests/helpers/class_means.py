"""A small class-means file for the ND tests."""
import torch

from mmkd_ext.nd import save_class_means

#: Three classes in two dimensions; the norms differ (2, 3, sqrt(2)).
MEANS = torch.tensor([[2.0, 0.0], [0.0, 3.0], [1.0, 1.0]])
DIGEST = 'abcdef0123456789'


def save_means(path, means=MEANS, digest=DIGEST, layer='neck[0]') -> None:
    """Write ``means`` as computed from teacher ``digest`` at ``layer`` (7 samples per class)."""
    save_class_means(str(path), means, torch.full((means.shape[0], ), 7), layer=layer,
                     teacher_config='configs/teacher.py', teacher_checkpoint='teacher.pth',
                     teacher_digest=digest)
