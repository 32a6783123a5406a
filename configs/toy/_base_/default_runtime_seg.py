_base_ = ['./default_runtime.py']
default_scope = 'mmseg'
# No name: the Runner names it after the experiment, so several runners can live in one process.
visualizer = dict(type='SegLocalVisualizer', vis_backends=[dict(type='LocalVisBackend')])
