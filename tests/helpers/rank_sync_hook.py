"""Test-only hook: after training, check that every rank holds the same student and teacher."""
import json
import os.path as osp

import torch
import torch.distributed as dist
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS


def checksum(params) -> torch.Tensor:
    return torch.stack([p.detach().double().sum() for p in params])


@HOOKS.register_module()
class RankSyncCheckHook(Hook):
    """Writes ``rank_sync.json`` with the largest difference of parameter sums across ranks."""

    def after_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        local = {'student': checksum(model.student.parameters()),
                 'teacher': checksum(model.teacher.parameters())}
        report = {'world_size': dist.get_world_size(), 'iters': runner.iter}
        for name, value in local.items():
            gathered = [torch.zeros_like(value) for _ in range(dist.get_world_size())]
            dist.all_gather(gathered, value)
            report[f'{name}_max_diff'] = max(float((g - gathered[0]).abs().max()) for g in gathered)
        if dist.get_rank() == 0:
            with open(osp.join(runner.work_dir, 'rank_sync.json'), 'w') as f:
                json.dump(report, f)
