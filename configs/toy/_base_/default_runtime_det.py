_base_ = ['./default_runtime.py']
default_scope = 'mmdet'
# No name: the Runner names it after the experiment, so several runners can live in one process.
visualizer = dict(type='DetLocalVisualizer', vis_backends=[dict(type='LocalVisBackend')])
