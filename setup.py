"""Build hook of mmkd_ext; the metadata is in pyproject.toml.

The wheel carries ``mmkd_ext/.mim/`` (configs/, tools/, model-index.yml), the folder through which
MMEngine resolves ``mmkd_ext::`` config references and ``mim`` finds the configs and tools, as the
OpenMMLab toolboxes ship theirs. In the checkout, ``mmkd_ext/.mim/`` holds relative links to the
top-level folders, which an editable install uses as they are; building a wheel or an sdist copies
the real files instead. Both installs also get ``mmkd_ext_startup.pth``, which lets MMEngine know
the ``mmkd_ext::`` prefix before mmkd_ext is imported (mmkd_ext_startup.py).
"""
import os
import os.path as osp
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = osp.dirname(osp.abspath(__file__))
#: What ``.mim/`` holds, relative to the repository root (and to ``.mim/``).
MIM_FILES = ('configs', 'tools', 'model-index.yml')
STARTUP_PTH = ('mmkd_ext_startup.pth', 'import mmkd_ext_startup; mmkd_ext_startup.install()\n')


class BuildPyWithMim(build_py):
    """``build_py`` that also copies :data:`MIM_FILES` into the built package's ``.mim/`` and
    writes the start-up hook :data:`STARTUP_PTH` beside the package."""

    def run(self) -> None:
        super().run()
        if getattr(self, 'editable_mode', False):
            # The checkout's mmkd_ext/.mim links serve the editable install. setuptools' editable
            # wheel holds what lies in the install command's install_lib (its unpacked folder).
            install_lib = self.distribution.get_command_obj('install').install_lib
            if install_lib:
                self.write_startup_pth(install_lib)
            return
        target = osp.join(self.build_lib, 'mmkd_ext', '.mim')
        if osp.lexists(target):
            shutil.rmtree(target)  # a previous build's copy: configs may have been removed since
        os.makedirs(target)
        ignore = shutil.ignore_patterns('__pycache__', '*.pyc')
        for name in MIM_FILES:
            source = osp.join(ROOT, name)
            if osp.isdir(source):
                shutil.copytree(source, osp.join(target, name), ignore=ignore)
            else:
                shutil.copy2(source, osp.join(target, name))
        self.write_startup_pth(self.build_lib)

    @staticmethod
    def write_startup_pth(folder: str) -> None:
        name, line = STARTUP_PTH
        os.makedirs(folder, exist_ok=True)
        with open(osp.join(folder, name), 'w') as f:
            f.write(line)


setup(cmdclass={'build_py': BuildPyWithMim})
