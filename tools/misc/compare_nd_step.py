"""One CIFAR-sized KD++ / DKD++ training step of ours against the ND authors' released CIFAR code.

    git clone https://github.com/WangYZ1608/Knowledge-Distillation-via-ND ND
    python tools/misc/compare_nd_step.py ND/CIFAR

For four CIFAR-100 configs of configs/nd/ (a random teacher: the step, not the teacher, is
compared), the same weights (ours copied into the authors' models tensor by tensor), the same
normalised batch of 64 32x32 images and labels, and the same class means (random, positive,
unnormalised, like post-ReLU means): every loss term, the gradient of every student parameter
and the parameters after one SGD step of the configs' optimizer. Dropout is switched off in both
(its masks cannot match); the KD/DKD warm-up factor is 1 in both (an epoch past the warm-up).
Nothing of the authors' code is copied: it is imported from the folder given.
"""
import argparse
import copy
import sys
from types import SimpleNamespace

import torch
import torch.nn.functional as F
from mmengine.optim import build_optim_wrapper

import mmkd_ext  # noqa: F401
from mmkd_ext.apis import build_model, load_distill_config
from mmkd_ext.datasets import fake_batch
from mmkd_ext.nd.class_means_compute import find_nd_targets

PAIRS = [
    # config, the authors' student and teacher, KD or DKD, the authors' factors for the pair
    ('configs/nd/nd-kd_resnet56-resnet20_cifar100.py', 'resnet20_cifar', 'resnet56_cifar', 'kd',
     dict(kd=1.0, nd=2.0)),
    ('configs/nd/nd-dkd_resnet56-resnet20_cifar100.py', 'resnet20_cifar', 'resnet56_cifar', 'dkd',
     dict(alpha=2.5, beta=4.0, nd=3.5)),
    ('configs/nd/nd-kd_resnet32x4-resnet8x4_cifar100.py', 'resnet8x4_cifar', 'resnet32x4_cifar',
     'kd', dict(kd=3.5, nd=2.0)),
    ('configs/nd/nd-kd_wrn-40-2-wrn-40-1_cifar100.py', 'wrn40_1_cifar', 'wrn40_2_cifar', 'kd',
     dict(kd=1.0, nd=1.5)),
]


def copy_weights(ours: torch.nn.Module, theirs: torch.nn.Module) -> None:
    """Ours -> theirs, tensor by tensor in order; the shapes must agree one to one."""
    src = list(ours.state_dict().items())
    dst = theirs.state_dict()
    assert len(src) == len(dst), (len(src), len(dst))
    new = {}
    for (ks, vs), (kd, vd) in zip(src, dst.items()):
        assert vs.shape == vd.shape, (ks, kd, vs.shape, vd.shape)
        new[kd] = vs.clone()
    theirs.load_state_dict(new)


def switch_off_dropout(model: torch.nn.Module) -> None:
    """p = 0 in every Dropout of ``model``: the two implementations' masks cannot match."""
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0


def authors_code(folder: str) -> SimpleNamespace:
    """The authors' CIFAR models, projector wrapper and losses, imported from ``folder``."""
    sys.path.insert(0, folder)
    import Models
    from Models.embtrans_cifar import EmbTrans
    from utils import DirectNormLoss, DKDLoss, KDLoss
    torch.Tensor.cuda = lambda self, *a, **k: self  # their ND loss moves each class mean to CUDA
    return SimpleNamespace(models=Models.__dict__, EmbTrans=EmbTrans,
                           DirectNormLoss=DirectNormLoss, DKDLoss=DKDLoss, KDLoss=KDLoss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('authors_cifar', help="the CIFAR folder of the authors' repository")
    theirs = authors_code(parser.parse_args().authors_cifar)
    EmbTrans = theirs.EmbTrans
    for config, s_name, t_name, kind, f in PAIRS:
        torch.manual_seed(0)
        cfg = load_distill_config(config, None, True)
        cfg.optim_wrapper.pop('clip_grad', None)
        distiller = build_model(cfg, 'cpu').train()
        switch_off_dropout(distiller)
        batch = fake_batch(distiller.student, 64, (32, 32))
        data = distiller.data_preprocessor(copy.deepcopy(batch), True)
        inputs, samples = data['inputs'], data['data_samples']
        labels = torch.stack([s.gt_label for s in samples]).reshape(-1)
        target = find_nd_targets(distiller)[0]
        width = target.loss.expected.get('embed_dim')
        means = torch.rand(100, int(width)) * 2  # positive, unnormalised, like post-ReLU means
        target.loss.set_class_means(means)
        target.loss.expected['teacher_digest'] = 'placeholder'  # a random teacher: no file to match

        student = theirs.models[s_name](num_class=100)
        # The students the authors' script wraps in their projector (widths differ).
        if s_name in ('wrn40_1_cifar', 'mobilenetv2', 'shufflev1_cifar', 'shufflev2_cifar'):
            student = EmbTrans(student=student, model_name=s_name)
        teacher = theirs.models[t_name](num_class=100)
        projector = getattr(distiller.points['nd'], 'connector', None)
        if isinstance(student, EmbTrans):
            copy_weights(distiller.student, student.student)
            copy_weights(projector, student.fc1)
            switch_off_dropout(student)
        else:
            copy_weights(distiller.student, student)
        copy_weights(distiller.teacher.model, teacher)  # FrozenTeacher wraps the model
        student.train()
        teacher.eval()

        losses = distiller.loss(inputs, samples)
        total_ours, _ = distiller.parse_losses(losses)
        optim = build_optim_wrapper(distiller, copy.deepcopy(cfg.optim_wrapper))
        optim.zero_grad()
        total_ours.backward()
        s_emb, s_logits = student(inputs, embed=True)
        with torch.no_grad():
            t_emb, t_logits = teacher(inputs, embed=True)
        t_emb_dict = {str(k): means[k].tolist() for k in range(100)}
        cls = F.cross_entropy(s_logits, labels)
        if kind == 'kd':
            div = theirs.KDLoss(kl_loss_factor=f['kd'], T=4.0)(s_logits, t_logits)
        else:
            div = theirs.DKDLoss(alpha=f['alpha'], beta=f['beta'], T=4.0)(s_logits, t_logits,
                                                                         labels)
        nd = theirs.DirectNormLoss(num_class=100, nd_loss_factor=f['nd'])(
            s_emb=s_emb, t_emb=t_emb, T_EMB=t_emb_dict, labels=labels)
        total_theirs = cls + div + nd
        their_params = list(student.parameters())
        their_opt = torch.optim.SGD(their_params, lr=cfg.optim_wrapper.optimizer.lr, momentum=0.9,
                                    weight_decay=5e-4, nesterov=True)
        their_opt.zero_grad()
        total_theirs.backward()

        print(f'== {config}')
        print('  ours  :', {k: round(v.item(), 6) for k, v in losses.items()})
        print(f'  theirs: cls {cls.item():.6f} div {div.item():.6f} nd {nd.item():.6f}')
        print(f'  total ours {total_ours.item():.6f} theirs {total_theirs.item():.6f} '
              f'diff {abs(total_ours.item() - total_theirs.item()):.2e}')
        ours_params = list(distiller.student.parameters())
        if projector is not None and isinstance(student, EmbTrans):
            ours_params += list(projector.parameters())
        assert len(ours_params) == len(their_params), (len(ours_params), len(their_params))
        gdiff = max((a.grad - b.grad).abs().max().item() for a, b in zip(ours_params, their_params))
        gmax = max(b.grad.abs().max().item() for b in their_params)
        print(f'  grads: max |ours - theirs| {gdiff:.2e} (largest grad {gmax:.2e})')
        optim.step()
        their_opt.step()
        pdiff = max((a - b).abs().max().item() for a, b in zip(ours_params, their_params))
        print(f'  after one SGD step: max |param ours - theirs| {pdiff:.2e}; '
              f'optimizer {cfg.optim_wrapper.optimizer}')


if __name__ == '__main__':
    main()
