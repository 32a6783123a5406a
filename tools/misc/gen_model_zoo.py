"""Generate docs/model_zoo.md, configs/<method>/metafile.yml and model-index.yml from the configs.

    python tools/misc/gen_model_zoo.py [--check] [--runs DIR]

Reads every config under configs/diffkd, configs/pefd and configs/nd: the header comment (the
paper's number, written as ``paper: 40.6 AP`` / ``Paper: 72.07 top-1`` / ``paper: 74.21 -> 77.78
val mIoU``), the student (``_base_``), the teacher's config and checkpoint, and the schedule. Re-run
it whenever a config is added or changed. ``--check`` only reports whether the files are current.

"ours" is filled only from runs collected by ``tools/reproduce.py`` under ``--runs`` (its
``--work-dir``): a run of the config as shipped (no ``--cfg-options`` but the teacher checkpoint)
whose ``result.json``, log (``train.log``) and checkpoint are all present; "—" otherwise.
"""
import argparse
import ast
import glob
import json
import os.path as osp
import re
import sys
from typing import Dict, List, Optional

import yaml
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)  # the mmkd_ext of this checkout, also when it is not installed
METHODS = {
    'diffkd': dict(name='DiffKD', title='Knowledge Diffusion for Distillation',
                   url='https://arxiv.org/abs/2305.15712', readme='docs/diffkd.md'),
    'pefd': dict(name='PEFD', title='Improved Feature Distillation via Projector Ensemble',
                 url='https://arxiv.org/abs/2210.15274', readme='docs/pefd.md'),
    'nd': dict(name='ND', title='Improving Knowledge Distillation via Regularizing Feature Norm '
               'and Direction', url='https://arxiv.org/abs/2305.17007', readme='docs/nd.md'),
}
# unit in the header -> (task, metric name in the metafile)
UNITS = {'AP': ('Object Detection', 'box AP'), 'top-1': ('Image Classification', 'Top 1 Accuracy'),
         'mIoU': ('Semantic Segmentation', 'mIoU')}
PAPER_RE = re.compile(r'paper:\s*([\d.]+)\s*(?:->\s*([\d.]+)\s*)?(?:val\s+|box\s+)?(AP|top-1|mIoU)',
                      re.IGNORECASE)


def header(path: str) -> str:
    """The leading comment block of a config, as one line of text."""
    lines = []
    with open(path) as f:
        for line in f:
            if not line.startswith('#'):
                break
            lines.append(line.lstrip('#').strip())
    return ' '.join(lines)


def dataset_of(name: str) -> str:
    for key, dataset in (('coco', 'COCO'), ('cityscapes', 'Cityscapes'), ('ade20k', 'ADE20K'),
                         ('in1k', 'ImageNet-1k'), ('cifar100', 'CIFAR-100')):
        if key in name:
            return dataset
    return 'unknown'


def student_of(path: str) -> str:
    """The student's config: the last ``_base_`` entry (the config idiom lists the student's stock
    config last), followed through other distillation configs."""
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    bases = next((node.value for node in tree.body if isinstance(node, ast.Assign)
                  and any(getattr(t, 'id', None) == '_base_' for t in node.targets)), None)
    names = [bases.value] if isinstance(bases, ast.Constant) else [
        e.value for e in getattr(bases, 'elts', [])]
    if not names:
        return '?'
    base = names[-1]
    local = osp.normpath(osp.join(osp.dirname(path), base))
    # A variant (e.g. DiffKD with DIST logits) inherits the main distillation config of its
    # setting, and a student may come with its setting's recipe (configs/<method>/_base_/).
    method_dirs = tuple(osp.join(REPO, 'configs', m) + osp.sep for m in METHODS)
    if '::' not in base and osp.isfile(local) and local.startswith(method_dirs):
        return student_of(local)
    return osp.splitext(osp.basename(base))[0]


def schedule_of(cfg: Config) -> str:
    train_cfg = cfg.get('train_cfg') or {}
    if 'max_epochs' in train_cfg:
        length = f'{train_cfg["max_epochs"]} epochs'
    elif 'max_iters' in train_cfg:
        length = f'{train_cfg["max_iters"] // 1000}k iters'
    else:
        length = '?'
    batch = cfg.get('train_dataloader', {}).get('batch_size', '?')
    total = (cfg.get('auto_scale_lr') or {}).get('base_batch_size')
    if isinstance(batch, int) and total and total % batch == 0:
        gpus = total // batch
        return f'{length}, {gpus} GPU{"s" * (gpus > 1)} × {batch} img'
    return f'{length}, {batch} img/GPU'


def teacher_source(checkpoint: Optional[str], teacher_config: str) -> str:
    if not checkpoint:
        return 'none (random)'
    if '://' in checkpoint:
        return f'[OpenMMLab zoo]({checkpoint})'
    return f'train it first: `python tools/train.py {teacher_config}` → `{checkpoint}`'


def describe_config(path: str) -> Dict[str, object]:
    """Everything the table and the metafile need about one config."""
    cfg = Config.fromfile(path)
    rel = osp.relpath(path, REPO)
    teacher = cfg.model.get('teacher', {})
    teacher_cfg = str(teacher.get('config') or '?')
    if not teacher_cfg.startswith(('mmdet::', 'mmseg::', 'mmpretrain::')) and teacher_cfg != '?':
        teacher_cfg = osp.relpath(osp.normpath(teacher_cfg), REPO)
    paper = PAPER_RE.search(header(path))
    info: Dict[str, object] = dict(
        name=osp.splitext(osp.basename(path))[0], config=rel, dataset=dataset_of(rel),
        student=student_of(path),
        teacher=osp.splitext(osp.basename(teacher_cfg.split('::')[-1]))[0],
        teacher_config=teacher_cfg, teacher_checkpoint=teacher.get('checkpoint'),
        schedule=schedule_of(cfg), paper=None, unit=None)
    if paper:
        info['paper_text'] = paper.group(2) or paper.group(1)  # as written: 70.10, not 70.1
        info['paper'] = float(info['paper_text'])
        info['unit'] = paper.group(3).replace('TOP-1', 'top-1')
    return info


def collected(runs_dir: Optional[str], model: dict) -> Optional[str]:
    """"ours" of a config from a run under ``runs_dir`` (``<runs_dir>/<table>/<name>/``, as
    ``tools/reproduce.py`` lays them out), in the paper's unit; None without a complete run of
    the config as shipped."""
    from mmkd_ext.harness.tables import DATASETS
    if not runs_dir or model['dataset'] not in DATASETS:
        return None
    _, metric, scale, unit = DATASETS[model['dataset']]
    for path in sorted(glob.glob(osp.join(runs_dir, '*', model['name'], 'result.json'))):
        with open(path) as f:
            result = json.load(f)
        work_dir = osp.dirname(path)
        checkpoint = result.get('checkpoint')
        complete = (result.get('config', '').endswith(model['config'])
                    and set(result.get('options', {})) <= {'model.teacher.checkpoint'}
                    and metric in result.get('metrics', {})
                    and osp.isfile(osp.join(work_dir, 'train.log'))
                    and bool(checkpoint) and osp.isfile(checkpoint))
        if complete:
            value = result['metrics'][metric] * scale
            return f'{value:.1f}' if unit == 'box AP' else f'{value:.2f}'
    return None


def metafile(method: str, models: List[dict]) -> dict:
    meta = METHODS[method]
    entries = []
    for m in models:
        entry = dict(Name=m['name'], **{'In Collection': meta['name']}, Config=m['config'],
                     Metadata=dict(Teacher=m['teacher'], **{'Teacher Config': m['teacher_config'],
                                                            'Teacher Checkpoint': m['teacher_checkpoint']},
                                   Student=m['student'], Schedule=m['schedule'],
                                   **{'Training Data': m['dataset']}))
        if m['paper'] is not None:
            task, metric = UNITS[m['unit']]
            # The number is the paper's, not a run of ours: no weights are released.
            entry['Results'] = [dict(Task=task, Dataset=m['dataset'], Metrics={metric: m['paper']},
                                     Source=f'paper ({meta["url"]}), not reproduced here')]
        entry['Weights'] = 'none'
        entries.append(entry)
    return dict(Collections=[dict(Name=meta['name'], Paper=dict(Title=meta['title'], URL=meta['url']),
                                  README=meta['readme'])],
                Models=entries)


def model_zoo_markdown(all_models: Dict[str, List[dict]], runs_dir: Optional[str] = None) -> str:
    lines = ['# Model zoo', '',
             '<!-- Generated by tools/misc/gen_model_zoo.py from the configs; edit the configs and',
             '     re-run it instead of editing this file. -->', '',
             'Every shipped paper-setting config. "paper" is the number the paper reports for the',
             'setting (— where the paper has none: our extensions to other tasks, settings without a',
             'published row). "ours" is filled only from full runs collected by',
             '`tools/reproduce.py` (config, log and checkpoint present; see',
             '[reproduce.md](reproduce.md)); none has been collected yet, so it is — everywhere',
             'and no weights are released. Data set layout: [datasets.md](datasets.md).',
             'Machine-readable:',
             '`model-index.yml` and `configs/<method>/metafile.yml`.', '']
    for method, models in all_models.items():
        meta = METHODS[method]
        lines += [f'## {meta["name"]}', '', f'[{meta["title"]}]({meta["url"]}) — details in '
                  f'[{osp.basename(meta["readme"])}]({osp.basename(meta["readme"])}).', '',
                  '| config | data | teacher | student | schedule | paper | ours | teacher checkpoint |',
                  '|---|---|---|---|---|---|---|---|']
        for m in models:
            paper = f'{m["paper_text"]} {m["unit"]}' if m['paper'] is not None else '—'
            lines.append(f'| [{m["name"]}](../{m["config"]}) | {m["dataset"]} | {m["teacher"]} | '
                         f'{m["student"]} | {m["schedule"]} | {paper} | '
                         f'{collected(runs_dir, m) or "—"} | '
                         f'{teacher_source(m["teacher_checkpoint"], m["teacher_config"])} |')
        lines.append('')
    return '\n'.join(lines)


def generate(runs_dir: Optional[str] = None) -> Dict[str, str]:
    """``{relative path: content}`` of every generated file ("ours" from the runs collected
    under ``runs_dir``, if given)."""
    all_models: Dict[str, List[dict]] = {}
    for method in METHODS:
        models = []
        for path in sorted(glob.glob(osp.join(REPO, 'configs', method, '*.py'))):
            try:
                models.append(describe_config(path))
            except Exception as exc:  # noqa: BLE001 - a config being edited must not stop the rest
                print(f'skipped {osp.relpath(path, REPO)}: {type(exc).__name__}: {exc}',
                      file=sys.stderr)
        all_models[method] = models
    files = {f'configs/{m}/metafile.yml': yaml.safe_dump(metafile(m, models), sort_keys=False,
                                                          allow_unicode=True, width=100)
             for m, models in all_models.items()}
    files['model-index.yml'] = yaml.safe_dump(
        dict(Import=[f'configs/{m}/metafile.yml' for m in all_models]), sort_keys=False)
    files['docs/model_zoo.md'] = model_zoo_markdown(all_models, runs_dir)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--check', action='store_true', help='only report out-of-date files')
    parser.add_argument('--runs', help='fill "ours" from the runs tools/reproduce.py collected '
                        'there (its --work-dir, e.g. work_dirs/reproduce)')
    args = parser.parse_args()
    import mmkd_ext  # noqa: F401  (registers the custom imports the configs name)
    stale = []
    for rel, content in generate(args.runs).items():
        path = osp.join(REPO, rel)
        current = open(path).read() if osp.isfile(path) else None
        if current == content:
            continue
        stale.append(rel)
        if not args.check:
            with open(path, 'w') as f:
                f.write(content)
    print(('out of date: ' if args.check else 'written: ') + (', '.join(stale) or 'nothing'))
    sys.exit(1 if args.check and stale else 0)


if __name__ == '__main__':
    main()
