# The COCO detection teachers of the shipped configs, each defined once: mmdet model-zoo configs
# and checkpoints (box AP as the zoo lists it). A distillation config lists this file among its
# bases and reads one: teacher=_base_.teacher_faster_rcnn_r101_coco.

# Faster R-CNN R101-FPN 2x, 39.8 box AP.
teacher_faster_rcnn_r101_coco = dict(
    config='mmdet::faster_rcnn/faster-rcnn_r101_fpn_2x_coco.py',
    checkpoint='https://download.openmmlab.com/mmdetection/v2.0/faster_rcnn/'
    'faster_rcnn_r101_fpn_2x_coco/'
    'faster_rcnn_r101_fpn_2x_coco_bbox_mAP-0.398_20200504_210455-1d2dac9c.pth')
# Cascade Mask R-CNN X101-64x4d-FPN 20e, 45.6 box AP.
teacher_cascade_mask_rcnn_x101_coco = dict(
    config='mmdet::cascade_rcnn/cascade-mask-rcnn_x101-64x4d_fpn_20e_coco.py',
    checkpoint='https://download.openmmlab.com/mmdetection/v2.0/cascade_rcnn/'
    'cascade_mask_rcnn_x101_64x4d_fpn_20e_coco/'
    'cascade_mask_rcnn_x101_64x4d_fpn_20e_coco_20200512_161033-bdb5126a.pth')
# RetinaNet R101-FPN 2x, 38.9 box AP.
teacher_retinanet_r101_coco = dict(
    config='mmdet::retinanet/retinanet_r101_fpn_2x_coco.py',
    checkpoint='https://download.openmmlab.com/mmdetection/v2.0/retinanet/'
    'retinanet_r101_fpn_2x_coco/retinanet_r101_fpn_2x_coco_20200131-5560aee8.pth')
# RetinaNet X101-64x4d-FPN 2x, 40.8 box AP.
teacher_retinanet_x101_coco = dict(
    config='mmdet::retinanet/retinanet_x101-64x4d_fpn_2x_coco.py',
    checkpoint='https://download.openmmlab.com/mmdetection/v2.0/retinanet/'
    'retinanet_x101_64x4d_fpn_2x_coco/retinanet_x101_64x4d_fpn_2x_coco_20200131-bca068ab.pth')
# FCOS R101-caffe-FPN, GN head, multi-scale 640-800, 2x, 40.8 box AP.
teacher_fcos_r101_coco = dict(
    config='mmdet::fcos/fcos_r101-caffe_fpn_gn-head_ms-640-800-2x_coco.py',
    checkpoint='https://download.openmmlab.com/mmdetection/v2.0/fcos/'
    'fcos_r101_caffe_fpn_gn-head_mstrain_640-800_2x_coco/'
    'fcos_r101_caffe_fpn_gn-head_mstrain_640-800_2x_coco-511424d6.pth')
# RepPoints (moment) X101-32x4d, DCN in stages c3-c5, GN FPN and head, 2x, 44.2 box AP.
teacher_reppoints_x101_coco = dict(
    config='mmdet::reppoints/reppoints-moment_x101-dconv-c3-c5_fpn-gn_head-gn_2x_coco.py',
    checkpoint='https://download.openmmlab.com/mmdetection/v2.0/reppoints/'
    'reppoints_moment_x101_fpn_dconv_c3-c5_gn-neck%2Bhead_2x_coco/'
    'reppoints_moment_x101_fpn_dconv_c3-c5_gn-neck%2Bhead_2x_coco_20200329-f87da1ea.pth')
