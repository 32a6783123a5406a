"""The package layout of docs/architecture.md: imports between mmkd_ext packages only go down."""
import ast
import os.path as osp
from pathlib import Path
from typing import Iterator, Optional, Tuple

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / 'mmkd_ext'

#: Bottom to top. A package may import packages of lower layers only (and itself); the root
#: ``mmkd_ext/__init__.py`` sits above all of them.
LAYERS = (
    ('utils', ),
    ('checkpoint', 'registry', 'version'),
    ('connectors', 'datasets', 'losses', 'models'),
    ('distillers', ),
    ('hooks', 'nd'),
    ('analysis', 'apis', 'harness'),
)
LAYER_OF = {name: depth for depth, names in enumerate(LAYERS) for name in names}


def top_package(module: str) -> Optional[str]:
    """``'mmkd_ext.nd.nd_loss'`` → ``'nd'``; ``None`` outside mmkd_ext or for the root itself."""
    parts = module.split('.')
    return parts[1] if parts[0] == 'mmkd_ext' and len(parts) > 1 else None


def imported_modules(path: Path) -> Iterator[Tuple[int, str]]:
    """``(line, absolute module)`` of every import in a file, function-level ones included."""
    here = list(path.relative_to(PACKAGE.parent).parts[:-1])  # the file's package
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[:len(here) - node.level + 1]
                module = '.'.join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ''
            if node.level and not node.module:  # ``from . import x``: x are modules
                for alias in node.names:
                    yield node.lineno, f'{module}.{alias.name}'
            else:
                yield node.lineno, module


def package_files() -> Iterator[Tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob('*.py')):
        rel = path.relative_to(PACKAGE)
        if rel == Path('__init__.py'):
            continue  # the root imports everything
        yield (rel.parts[0] if len(rel.parts) > 1 else rel.stem), path


def test_every_package_has_a_layer():
    names = {name for name, _ in package_files()}
    assert names <= set(LAYER_OF), f'add {sorted(names - set(LAYER_OF))} to LAYERS and ' \
                                   f'docs/architecture.md'


def test_imports_only_go_down():
    upward = []
    for name, path in package_files():
        for line, module in imported_modules(path):
            target = top_package(module)
            if target is None or target == name:
                continue
            if LAYER_OF.get(target, -1) >= LAYER_OF[name]:
                upward.append(f'{path.relative_to(PACKAGE.parent)}:{line} imports {module} '
                              f'({name} is layer {LAYER_OF[name]}, {target} layer '
                              f'{LAYER_OF.get(target)})')
    assert not upward, '\n'.join(upward)


@pytest.mark.parametrize('doc', ['docs/architecture.md'])
def test_the_architecture_page_names_every_package(doc):
    text = (PACKAGE.parent / doc).read_text()
    missing = [name for names in LAYERS for name in names
               if osp.isdir(PACKAGE / name) and f'{name}/' not in text]
    assert not missing, f'{doc} does not describe {missing}'
