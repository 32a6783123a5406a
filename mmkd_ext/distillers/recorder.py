"""Record module outputs by name with forward hooks (no monkey-patching of the models)."""
import difflib
from typing import Any, Dict, List, Sequence, Tuple, Union

import torch.nn as nn
from torch import Tensor

from ..utils.errors import InputError

INPUT_SUFFIX = ':input'


def parse_record_spec(spec: Union[str, dict]) -> Tuple[str, Tuple[int, ...]]:
    """Split a record spec into a module name and an index path.

    Accepted forms: ``'neck'``, ``'neck[0]'``, ``'bbox_head.retina_reg[2]'``, ``'a.b[0][1]'`` and
    ``dict(module='neck', index=0)`` (``index`` may be an int or a list of ints). A module name
    ending in ``':input'`` records the module's positional *inputs* (a tuple) instead of its
    output, e.g. ``'roi_head.bbox_roi_extractor:input[1]'`` are the RoIs it pools.

    Returns:
        tuple: ``(module_name, index_path)``; an empty path means "the output itself".
    """
    if isinstance(spec, dict):
        unknown = set(spec) - {'module', 'index'}
        if 'module' not in spec or unknown:
            raise ValueError(f'A record dict needs the key "module" (and optionally "index"); got {spec}')
        index = spec.get('index')
        if index is None:
            path: Tuple[int, ...] = ()
        elif isinstance(index, int):
            path = (index, )
        else:
            path = tuple(int(i) for i in index)
        return spec['module'], path
    if not isinstance(spec, str):
        raise TypeError(f'A record must be a module name string or a dict, got {type(spec).__name__}')
    name, _, rest = spec.partition('[')
    path = ()
    if rest:
        try:
            path = tuple(int(part) for part in ('[' + rest).replace(']', '').split('[')[1:])
        except ValueError:
            raise ValueError(f'Cannot parse the output index of "{spec}"; write e.g. "neck[0]" or '
                             f'"a.b[0][1]"') from None
    return name, path


def resolve_module(model: nn.Module, name: str, side: str) -> nn.Module:
    """Return ``model``'s submodule called ``name`` or raise with the closest real names."""
    name = name[:-len(INPUT_SUFFIX)] if name.endswith(INPUT_SUFFIX) else name
    modules = dict(model.named_modules())
    if name in modules and name != '':
        return modules[name]
    candidates = [n for n in modules if n]
    close = difflib.get_close_matches(name, candidates, n=5, cutoff=0.5)
    # Siblings under the longest existing prefix help when the typo is in the last component.
    prefix = name.rsplit('.', 1)[0] if '.' in name else ''
    siblings = [n for n in candidates if prefix and n.startswith(prefix + '.')
                and n.count('.') == name.count('.')][:8]
    hint = close or siblings or [n for n in candidates if '.' not in n]
    raise InputError(f'The {side} has no module named "{name}". Closest real names: {hint}. '
                     f'List them all with tools/inspect_features.py or model.named_modules().')


class ModuleRecorder:
    """Keeps the outputs of one module during a forward pass.

    A module that runs several times in one forward (a head shared across FPN levels) yields a
    list with one output per call; a module that runs once yields its output as it is. The index
    path is applied to that.

    Args:
        module (nn.Module): The module to hook.
        name (str): Its name in the model (for messages).
        side (str): ``'student'`` or ``'teacher'`` (for messages).
    """

    def __init__(self, module: nn.Module, name: str, side: str) -> None:
        self.module = module
        self.name = name
        self.side = side
        self.outputs: List[Any] = []
        self.recording = False
        if name.endswith(INPUT_SUFFIX):
            self._handle = module.register_forward_pre_hook(self._input_hook)
        else:
            self._handle = module.register_forward_hook(self._hook)

    def _hook(self, module: nn.Module, inputs: Any, output: Any) -> None:
        if self.recording:
            self.outputs.append(output)

    def _input_hook(self, module: nn.Module, inputs: Any) -> None:
        if self.recording:
            self.outputs.append(inputs)

    def start(self) -> None:
        """Clear previous outputs and record the next forward."""
        self.outputs = []
        self.recording = True

    def stop(self) -> None:
        self.recording = False

    @property
    def fired(self) -> bool:
        return len(self.outputs) > 0

    def get(self, index: Tuple[int, ...] = ()) -> Any:
        """Return the recorded output, indexed by ``index``.

        Raises:
            RuntimeError: if the module did not run, or the index does not fit the output.
        """
        if not self.outputs:
            raise RuntimeError(
                f'The {self.side} module "{self.name}" did not run in this forward pass, so nothing '
                f'was recorded. Record a module that is called through module(...) on the path of '
                f'this forward (heads called as head.forward(...) by the toolbox are not hooked; '
                f'record their submodules, e.g. "bbox_head.retina_cls"). '
                f'tools/inspect_features.py lists the modules that run.')
        value = self.outputs[0] if len(self.outputs) == 1 else list(self.outputs)
        for depth, i in enumerate(index):
            if not isinstance(value, (list, tuple)):
                raise IndexError(
                    f'The {self.side} module "{self.name}" output at index {list(index[:depth])} is '
                    f'a {describe(value)}, which cannot be indexed with [{i}].')
            if not -len(value) <= i < len(value):
                raise IndexError(
                    f'Index {i} is out of range for the {self.side} module "{self.name}" output '
                    f'{list(index[:depth])}: it is a {type(value).__name__} of length {len(value)} '
                    f'({describe(value)}).')
            value = value[i]
        return value

    def remove(self) -> None:
        self._handle.remove()


def describe(value: Any) -> str:
    """A short human-readable description of a (nested) module output, e.g. ``tuple[(2, 8, 16, 16), ...]``."""
    if isinstance(value, Tensor):
        return f'tensor{tuple(value.shape)}'
    if isinstance(value, (list, tuple)):
        inner = ', '.join(describe(v) for v in value[:6])
        more = ', ...' if len(value) > 6 else ''
        return f'{type(value).__name__}[{inner}{more}]'
    return type(value).__name__


class RecorderSet:
    """The recorders of one model, one per distinct module name.

    Args:
        model (nn.Module): The model whose modules are recorded.
        names (Sequence[str]): Module names; validated at construction.
        side (str): ``'student'`` or ``'teacher'``.
    """

    def __init__(self, model: nn.Module, names: Sequence[str], side: str) -> None:
        self.side = side
        self.recorders: Dict[str, ModuleRecorder] = {}
        for name in names:
            if name not in self.recorders:
                self.recorders[name] = ModuleRecorder(resolve_module(model, name, side), name, side)

    def start(self) -> None:
        for recorder in self.recorders.values():
            recorder.start()

    def stop(self) -> None:
        for recorder in self.recorders.values():
            recorder.stop()

    def all_fired(self) -> bool:
        return all(r.fired for r in self.recorders.values())

    def get(self, name: str, index: Tuple[int, ...] = ()) -> Any:
        return self.recorders[name].get(index)

    def remove(self) -> None:
        for recorder in self.recorders.values():
            recorder.remove()


def first_component(name: str) -> str:
    """``'neck.fpn_convs.0'`` → ``'neck'``."""
    return name.split('.', 1)[0]
