# The toy teachers, each defined once: the half-width toy models of configs/toy (ResNet-18 at
# base_channels=32, trained 3x longer than their 1/8-width students), with the checkpoint that
#   python tools/train.py configs/toy/<teacher config>
# writes. A toy distillation config lists this file among its bases and reads one:
# teacher=_base_.teacher_faster_rcnn_r18w32_toy.
teacher_faster_rcnn_r18w32_toy = dict(
    config='{{fileDirname}}/../faster-rcnn_r18-w32_fpn_toy-det.py',
    checkpoint='work_dirs/faster-rcnn_r18-w32_fpn_toy-det/iter_900.pth')
teacher_retinanet_r18w32_toy = dict(
    config='{{fileDirname}}/../retinanet_r18-w32_fpn_toy-det.py',
    checkpoint='work_dirs/retinanet_r18-w32_fpn_toy-det/iter_900.pth')
teacher_fcn_r18w32_toy = dict(
    config='{{fileDirname}}/../fcn_r18-w32_toy-seg.py',
    checkpoint='work_dirs/fcn_r18-w32_toy-seg/iter_900.pth')
teacher_resnet18w32_toy = dict(
    config='{{fileDirname}}/../resnet18-w32_toy-cls.py',
    checkpoint='work_dirs/resnet18-w32_toy-cls/iter_900.pth')
