"""Every shipped config speaks the one config idiom of docs/user_guide.md ("Configs").

A distillation config wraps its student's stock config (``student=_base_.model``) in a distiller
that replaces that model (``_delete_=True``), names a teacher defined once in a teachers base and
builds its points from values its setting bases export. Nothing pops, merges or changes
``_base_``, and configs hold no logic (no loops, comprehensions or string surgery): the only call
is ``dict``. A config that repeats another shipped config with other values inherits it and
states those values. The files are read, never run.
"""
import ast
import glob
import os.path as osp

import pytest

CONFIG_ROOT = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'configs')
CONFIGS = sorted(glob.glob(osp.join(CONFIG_ROOT, '**', '*.py'), recursive=True))
LOGIC = (ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp, ast.Lambda, ast.For,
         ast.While, ast.If, ast.IfExp, ast.FunctionDef)


def rel(path: str) -> str:
    return osp.relpath(path, CONFIG_ROOT)


def parse(path: str) -> ast.Module:
    with open(path) as f:
        return ast.parse(f.read(), path)


def rooted_at_base(node: ast.AST) -> bool:
    """Whether an attribute / item chain starts at ``_base_`` (``_base_.model.neck``; not the
    ``_base_ = [...]`` list itself)."""
    if not isinstance(node, (ast.Attribute, ast.Subscript)):
        return False
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return isinstance(node, ast.Name) and node.id == '_base_'


def assigned(tree: ast.Module, name: str):
    """The value assigned to a top-level ``name``, or None."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return node.value
    return None


@pytest.mark.parametrize('path', CONFIGS, ids=rel)
def test_no_config_changes_base_or_holds_logic(path):
    problems = []
    for node in ast.walk(parse(path)):
        where = f'{rel(path)}:{getattr(node, "lineno", "?")}'
        if isinstance(node, LOGIC):
            problems.append(f'{where}: {type(node).__name__} (logic belongs in Python code)')
        elif isinstance(node, ast.Call) and not (isinstance(node.func, ast.Name)
                                                 and node.func.id == 'dict'):
            problems.append(f'{where}: a call of {ast.unparse(node.func)} (only dict(...))')
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            problems += [f'{where}: changes {ast.unparse(t)}' for t in targets if rooted_at_base(t)]
    assert not problems, '\n'.join(problems)


def distiller_of(tree: ast.Module):
    """The keywords of ``model = dict(...)`` when it defines a distiller's student, else None."""
    value = assigned(tree, 'model')
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            and value.func.id == 'dict'):
        return None
    keywords = {k.arg: k.value for k in value.keywords if k.arg}
    return keywords if 'student' in keywords else None


@pytest.mark.parametrize('path', [p for p in CONFIGS if distiller_of(parse(p))], ids=rel)
def test_a_distillation_config_wraps_its_student_stock_config(path):
    model = distiller_of(parse(path))
    assert isinstance(model.get('_delete_'), ast.Constant) and model['_delete_'].value is True
    assert ast.unparse(model['type']) in ("'FeatureDistiller'", "'RoIDistiller'")
    assert ast.unparse(model['student']) == '_base_.model'
    teacher = ast.unparse(model['teacher'])
    assert teacher.startswith('_base_.teacher_'), f'{teacher}: name a teacher of a teachers base'


def test_every_distillation_config_is_a_wrapper_or_a_variant():
    """A config with a distiller either wraps a student (above) or inherits one config that does."""
    wrappers = {p for p in CONFIGS if distiller_of(parse(p))}
    for path in CONFIGS:
        tree = parse(path)
        if path in wrappers or '/_base_/' in path or assigned(tree, 'model') is None:
            continue
        bases = assigned(tree, '_base_')
        names = [bases.value] if isinstance(bases, ast.Constant) else [
            e.value for e in getattr(bases, 'elts', [])]
        parents = {osp.normpath(osp.join(osp.dirname(path), n)) for n in names}
        if parents & wrappers or any(is_variant(p, wrappers) for p in parents):
            assert len(names) == 1, f'{rel(path)}: a variant inherits the one config it varies'
            model = assigned(tree, 'model')
            assert not any(k.arg in ('_delete_', 'student') for k in model.keywords), rel(path)


def is_variant(path: str, wrappers: set) -> bool:
    """Whether ``path`` is a config that inherits (possibly through variants) a wrapper."""
    if not osp.isfile(path):
        return False
    bases = assigned(parse(path), '_base_')
    if not isinstance(bases, ast.Constant):
        return False
    parent = osp.normpath(osp.join(osp.dirname(path), bases.value))
    return parent in wrappers or is_variant(parent, wrappers)


def test_each_teacher_is_defined_once():
    """A teacher (its config) is named by one teachers base only; configs read it from there."""
    defined = {}
    for path in CONFIGS:
        for node in ast.walk(parse(path)):
            if isinstance(node, ast.keyword) and node.arg == 'teacher' \
                    and isinstance(node.value, ast.Call):
                pytest.fail(f'{rel(path)}: defines a teacher inline; add it to a teachers base')
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) \
                    and node.targets[0].id.startswith('teacher_'):
                config = {k.arg: ast.unparse(k.value) for k in node.value.keywords}['config']
                assert config not in defined, f'{config}: in {defined.get(config)} and {rel(path)}'
                defined[config] = rel(path)
    assert len(defined) >= 15, sorted(defined)
