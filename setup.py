"""Install mmkd_ext: ``pip install -e .`` (inside an existing OpenMMLab environment too)."""
import os.path as osp

from setuptools import find_packages, setup


def read_version() -> str:
    namespace: dict = {}
    with open(osp.join(osp.dirname(__file__), 'mmkd_ext', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


setup(
    name='mmkd_ext',
    version=read_version(),
    description='Feature knowledge distillation (DiffKD, PEFD, ND) for mmdet, mmseg and mmpretrain',
    long_description=open('README.md').read() if osp.exists('README.md') else '',
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'docs')),
    include_package_data=True,
    python_requires='>=3.8',
    # The versions the OpenMMLab 3.x toolboxes accept together (mmdet/mmseg refuse mmcv >= 2.2).
    install_requires=[
        'torch>=2.6',  # weights-only loading with named safe globals (mmkd_ext.checkpoint)
        'mmengine>=0.10.0,<1.0.0',
        'mmcv>=2.0.0rc4,<2.2.0',
        'numpy',
    ],
    extras_require={
        'det': ['mmdet>=3.0.0,<3.4.0'],
        'seg': ['mmsegmentation>=1.0.0,<1.3.0', 'ftfy', 'regex'],
        'cls': ['mmpretrain>=1.0.0,<1.3.0'],
        'all': ['mmdet>=3.0.0,<3.4.0', 'mmsegmentation>=1.0.0,<1.3.0', 'ftfy', 'regex',
                'mmpretrain>=1.0.0,<1.3.0'],
        'tests': ['pytest', 'diffusers'],
    },
    license='Apache License 2.0',
    zip_safe=False,
)
