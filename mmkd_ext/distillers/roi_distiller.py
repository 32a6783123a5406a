"""Distillation on the sampled RoIs of a two-stage detector (the ND paper's Faster R-CNN setting).

The student's RoI head samples proposals (positives and background) during its loss. Both networks
embed exactly those RoIs, each with its own RoI extractor on its own FPN and its own box-head shared
FCs; the ND loss pulls the student's RoI embeddings toward the teacher's class means (background is a
class: index ``num_classes``), and a KL divergence matches the RoI class logits.

How it is wired, without patching mmdet:

* student: forward hooks record the RoIs and the sampled labels as the *inputs* of
  ``roi_head.bbox_roi_extractor`` (``(feats, rois)``) and ``roi_head.bbox_head.loss_cls``
  (``(cls_score, labels, label_weights)``), the output of the box head's last shared FC and the
  class logits as the output of ``fc_cls``.
* teacher: runs only as far as its ``neck`` (the frozen teacher's early stop: no RPN, no losses); then
  its RoI head's public tensor-mode ``forward(neck_feats, proposals)`` pools the student's RoIs on
  the teacher's FPN and runs the teacher's box head, under ``no_grad`` and in eval mode.

The RoI embedding is the post-ReLU output of the last shared FC (1024-d in the stock configs):
``ConvFCBBoxHead`` (e.g. ``Shared2FCBBoxHead``) computes ``x = relu(fc(x))`` for each shared FC.
"""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.structures import InstanceData
from torch import Tensor

from ..connectors import BaseConnector, IdentityConnector
from ..losses import BaseDistillLoss
from ..registry import MODELS
from .feature_distiller import FeatureDistiller, build_component, loss_key
from .recorder import RecorderSet

#: Student records (module names; ``:input`` = the module's positional inputs).
STUDENT_ROIS = 'roi_head.bbox_roi_extractor:input'      # (feats, rois (N, 5))
SAMPLED_LABELS = 'roi_head.bbox_head.loss_cls:input'     # (cls_score, labels (N,), label_weights)
HEAD_CLS = 'roi_head.bbox_head.fc_cls'                    # (N, K + 1) class logits
#: Teacher record: the FPN levels the teacher's RoI extractor pools from.
TEACHER_FEATS = 'neck'


def _single_call(recorders: RecorderSet, name: str, what: str) -> object:
    """The one recorded output of ``name``; refuse heads that call it several times per step."""
    outputs = recorders.recorders[name].outputs
    if len(outputs) != 1:
        raise RuntimeError(
            f'RoIDistiller: "{name}" ({what}) ran {len(outputs)} times in one step; only RoI heads '
            f'that pool and classify the sampled RoIs once per step (StandardRoIHead) are '
            f'supported, not cascade heads.')
    return outputs[0]


def last_shared_fc(bbox_head: nn.Module) -> str:
    """The record name of a ``ConvFCBBoxHead``'s last shared FC, e.g. ``'...shared_fcs.1'``."""
    return f'roi_head.bbox_head.shared_fcs.{bbox_head.num_shared_fcs - 1}'


def shared_fc_embedding(recorders: RecorderSet, bbox_head: nn.Module) -> Tensor:
    """The RoI embedding: the box head's last shared FC, after its ReLU.

    Args:
        recorders (RecorderSet): Records holding :func:`last_shared_fc` of the model.
        bbox_head (nn.Module): That model's ``ConvFCBBoxHead``.

    Returns:
        Tensor: ``(N, fc_out_channels)`` RoI embeddings.
    """
    # The head's ReLU is in place, so the record usually holds the activated values already;
    # applying it again changes nothing then and keeps a head with a plain ReLU correct.
    return F.relu(_single_call(recorders, last_shared_fc(bbox_head), 'the last shared FC'))


def proposals_of(rois: Tensor, num_images: int) -> List[InstanceData]:
    """Split ``(N, 5)`` RoIs back into per-image proposals, as an RoI head's ``forward`` takes them.

    The head concatenates them again image by image, so the RoIs must already be grouped by image
    (mmdet's ``bbox2roi`` builds them so); then the head sees exactly ``rois``, in their order.
    """
    image = rois[:, 0]
    if image.numel() > 1 and bool((image[1:] < image[:-1]).any()):
        raise RuntimeError('RoIDistiller: the student\'s RoIs are not grouped by image; the teacher '
                           'could not see them in the same order.')
    return [InstanceData(bboxes=rois[image == i, 1:]) for i in range(num_images)]


@MODELS.register_module()
class RoIDistiller(FeatureDistiller):
    """ND (+ KL) distillation on the student's sampled RoIs for mmdet two-stage detectors.

    Adds to the student's losses (and those of any generic ``distill_points``, e.g. FPN features):

    * ``distill.roi_nd.loss_nd``: the ND loss between the student's and the teacher's embeddings of
      the student's sampled RoIs, with the RoIs' sampled labels (background = ``num_classes``) and
      ``num_classes + 1`` teacher class means;
    * ``distill.roi_kd.loss_kd``: KL divergence (``roi_kd``, e.g. ``KDLoss(tau=1)``) between the RoI
      class logits (``num_classes + 1`` including background).

    Args:
        student (dict): Student detector config (a two-stage detector whose RoI head is a
            ``StandardRoIHead`` with a ``ConvFCBBoxHead``, e.g. ``Shared2FCBBoxHead``).
        teacher (dict): Teacher spec, as for :class:`FeatureDistiller`.
        roi_nd (dict, optional): An ``NDLoss`` config (``class_means`` file, ``loss_weight`` β).
            ``num_classes`` (K + 1) and ``embed_dim`` are filled in from the teacher when omitted.
        roi_kd (dict, optional): A logit loss config on the RoI class logits, e.g.
            ``dict(type='KDLoss', tau=1.0, loss_weight=1.0)``.
        roi_connector (dict, optional): A connector applied to the student RoI embedding before the
            ND loss, e.g. ``NDProjector`` when the student's FC width differs from the teacher's.
        distill_points (dict, optional): Generic distillation points (may be empty).
        data_preprocessor (dict, optional): See :class:`FeatureDistiller`.
        init_cfg (dict, optional): See :class:`FeatureDistiller`.
    """

    extra_teacher_records = (TEACHER_FEATS, )

    @property
    def extra_student_records(self) -> Tuple[str, ...]:
        bbox_head = self._check_detector(self.student, 'student')
        return (STUDENT_ROIS, SAMPLED_LABELS, last_shared_fc(bbox_head), HEAD_CLS)

    def __init__(self,
                 student: dict,
                 teacher: dict,
                 roi_nd: Optional[dict] = None,
                 roi_kd: Optional[dict] = None,
                 roi_connector: Optional[dict] = None,
                 distill_points: Optional[Dict[str, dict]] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if roi_nd is None and roi_kd is None:
            raise ValueError('RoIDistiller needs roi_nd and/or roi_kd (else use FeatureDistiller).')
        super().__init__(student, teacher, distill_points or {}, data_preprocessor, init_cfg)
        s_head = self._check_detector(self.student, 'student')
        t_head = self._check_detector(self.teacher.model, 'teacher')
        if s_head.num_classes != t_head.num_classes:
            raise ValueError(f'RoIDistiller: the student box head has {s_head.num_classes} classes, '
                             f'the teacher\'s {t_head.num_classes}; they must agree.')
        self.roi_nd = build_component(roi_nd, BaseDistillLoss, 'model.roi_nd') if roi_nd else None
        self.roi_kd = build_component(roi_kd, BaseDistillLoss, 'model.roi_kd') if roi_kd else None
        connector = build_component(roi_connector, BaseConnector, 'model.roi_connector') \
            if roi_connector else IdentityConnector()
        if not isinstance(connector, BaseConnector):
            raise TypeError(f'roi_connector: {type(connector).__name__} is not a connector.')
        self.roi_connector = connector
        if self.roi_nd is not None:
            # K foreground classes + background; checked against the class-means file on load.
            expected = dict(num_classes=t_head.num_classes + 1,
                            embed_dim=t_head.shared_out_channels)
            for field, value in expected.items():
                given = self.roi_nd.expected.get(field)
                if given is not None and given != value:
                    raise ValueError(f'roi_nd: {field}={given} in the config, but the teacher\'s box '
                                     f'head gives {value} (num_classes counts the background class '
                                     f'too); omit it or set {value}.')
            self.roi_nd.update_expected(**expected)
        # Teacher records of its own box head, outside the frozen teacher's early-stop logic: they
        # are recorded only while the distiller runs the teacher's RoI head itself.
        self.teacher_roi_recorders = RecorderSet(self.teacher.model,
                                                 [last_shared_fc(t_head), SAMPLED_LABELS], 'teacher')

    @property
    def roi_embedding_layer(self) -> str:
        """The teacher record the RoI class means are computed from (written in their file)."""
        # The name files have recorded since the embedding was read from the head's ReLU calls:
        # the same tensor, so existing class-means files stay valid.
        return f'roi_head.bbox_head.relu[{self.teacher.model.roi_head.bbox_head.num_shared_fcs - 1}]'

    @staticmethod
    def _check_detector(model: nn.Module, side: str) -> nn.Module:
        roi_head = getattr(model, 'roi_head', None)
        bbox_head = getattr(roi_head, 'bbox_head', None)
        if bbox_head is None or not hasattr(roi_head, 'bbox_roi_extractor'):
            raise TypeError(f'RoIDistiller: the {side} ({type(model).__name__}) is not a two-stage '
                            f'detector with a StandardRoIHead-like roi_head.')
        if isinstance(bbox_head, nn.ModuleList):
            raise TypeError(f'RoIDistiller: the {side} has a cascade RoI head (several box heads); '
                            f'only single-stage RoI heads are supported.')
        if getattr(bbox_head, 'num_shared_fcs', 0) < 1 or not isinstance(
                getattr(bbox_head, 'shared_fcs', None), nn.ModuleList):
            raise TypeError(f'RoIDistiller: the {side} box head {type(bbox_head).__name__} has no '
                            f'shared FC layers (use a ConvFCBBoxHead such as Shared2FCBBoxHead).')
        return bbox_head

    # ------------------------------------------------------------------------ teacher RoI path

    @torch.no_grad()
    def teacher_roi_outputs(self, rois: Tensor) -> Tuple[Tensor, Tensor]:
        """Embed and classify ``rois`` with the teacher's RoI extractor and box head.

        Uses the teacher's FPN features recorded by the last :meth:`FrozenTeacher.record`.

        Args:
            rois (Tensor): ``(N, 5)`` RoIs ``(batch index, x1, y1, x2, y2)`` in input-image pixels.

        Returns:
            tuple: ``(embeddings (N, D_t), class logits (N, K + 1))``.
        """
        feats = tuple(self.teacher.recorders.get(TEACHER_FEATS))
        model = self.teacher.model
        model.eval()
        proposals = proposals_of(rois.detach(), num_images=feats[0].shape[0])
        self.teacher_roi_recorders.start()
        try:
            # The head's tensor mode: mmdet's own pooling and box head (what the student's loss ran).
            cls_score = model.roi_head.forward(feats, proposals)[0]
        finally:
            self.teacher_roi_recorders.stop()
        return shared_fc_embedding(self.teacher_roi_recorders, model.roi_head.bbox_head), cls_score

    @torch.no_grad()
    def teacher_sampled_roi_embeddings(self, inputs: Tensor,
                                       data_samples: List) -> Tuple[Tensor, Tensor]:
        """The teacher's embeddings of ITS OWN sampled RoIs and their labels (for the class means).

        The teacher runs its training-time path once (RPN proposals, assigner, sampler with the gt
        boxes added as proposals, box head) in eval mode and without gradients; its losses are
        discarded. These are "the RoIs the teacher sees": the same kind of positives and background
        RoIs the student's sampler feeds the ND loss during distillation.

        Args:
            inputs (Tensor): The student's preprocessed batch ``(B, 3, H, W)`` (re-normalised for
                the teacher here).
            data_samples (list): The batch's ``DetDataSample``\\ s with ``gt_instances``.

        Returns:
            tuple: ``(embeddings (N, D_t), labels (N,))`` with background = ``num_classes``.
        """
        model = self.teacher.model
        if not getattr(model, 'train_cfg', None):
            raise ValueError('RoIDistiller: the teacher config has no train_cfg (rpn_proposal, rcnn '
                             'sampler); its own sampled RoIs cannot be drawn for the class means.')
        model.eval()
        self.teacher_roi_recorders.start()
        try:
            model.loss(self.teacher.teacher_inputs(inputs), data_samples)
        finally:
            self.teacher_roi_recorders.stop()
        labels = _single_call(self.teacher_roi_recorders, SAMPLED_LABELS, 'sampled labels')[1]
        return shared_fc_embedding(self.teacher_roi_recorders, model.roi_head.bbox_head), labels

    # ------------------------------------------------------------------------------- losses

    def roi_losses(self) -> Dict[str, Tensor]:
        """ND and KL losses on the student's sampled RoIs of the last student/teacher forward.

        Returns:
            dict: ``distill.roi_nd.loss_nd`` (+ connector losses) and ``distill.roi_kd.<loss>``.
        """
        rois = _single_call(self.student_recorders, STUDENT_ROIS, 'RoI pooling')[1]
        labels = _single_call(self.student_recorders, SAMPLED_LABELS, 'sampled labels')[1]
        student_logits = _single_call(self.student_recorders, HEAD_CLS, 'class logits')
        student_embed = shared_fc_embedding(self.student_recorders, self.student.roi_head.bbox_head)
        n = rois.shape[0]
        if not (labels.numel() == student_logits.shape[0] == student_embed.shape[0] == n):
            raise RuntimeError(f'RoIDistiller: {n} RoIs but {labels.numel()} labels, '
                               f'{student_logits.shape[0]} logits and {student_embed.shape[0]} '
                               f'embeddings were recorded.')
        teacher_embed, teacher_logits = self.teacher_roi_outputs(rois)
        losses: Dict[str, Tensor] = {}
        if self.roi_nd is not None:
            s_out, t_out, aux = self.roi_connector(student_embed, teacher_embed)
            losses[f'distill.roi_nd.{loss_key(self.roi_nd)}'] = self.roi_nd.loss_from_labels(
                s_out, t_out, labels)
            losses.update({f'distill.roi_nd.{k}': v for k, v in aux.items()})
        if self.roi_kd is not None:
            losses[f'distill.roi_kd.{loss_key(self.roi_kd)}'] = self.roi_kd(student_logits,
                                                                           teacher_logits)
        return losses

    def loss(self, inputs: Tensor, data_samples: Optional[List]) -> Dict[str, Tensor]:
        """The student's losses, the generic points' losses and the RoI losses."""
        losses = super().loss(inputs, data_samples)  # leaves this step's records in place
        losses.update(self.roi_losses())
        return losses
