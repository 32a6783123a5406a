"""The class-means file (write, read, check against a run), the teacher digest, the accumulator."""
import pytest
import torch
import torch.nn as nn
from helpers.class_means import MEANS
from helpers.class_means import save_means as _save

from mmkd_ext.nd import (ClassMeanAccumulator, load_class_means, read_class_means,
                         teacher_digest)
from mmkd_ext.utils.digest import state_dict_digest


def test_class_means_round_trip(tmp_path):
    path = tmp_path / 'cm.pth'
    _save(path)
    raw = torch.load(str(path), weights_only=True)
    assert raw['version'] == 1 and raw['num_classes'] == 3 and raw['embed_dim'] == 2
    assert raw['class_means'].dtype == torch.float32 and raw['counts'].dtype == torch.long
    rec = read_class_means(str(path))
    assert rec['layer'] == 'neck[0]' and rec['teacher_checkpoint'] == 'teacher.pth'
    means = load_class_means(str(path), dict(teacher_digest='abcdef0123456789', layer='neck[0]',
                                             num_classes=3, embed_dim=2))
    assert torch.equal(means, MEANS)


@pytest.mark.parametrize('field,value', [('teacher_digest', 'ffffffffffffffff'),
                                         ('layer', 'backbone.3'), ('num_classes', 81),
                                         ('embed_dim', 1024)])
def test_class_means_mismatch_names_field(tmp_path, field, value):
    path = tmp_path / 'cm.pth'
    _save(path)
    with pytest.raises(ValueError) as err:
        load_class_means(str(path), {field: value})
    msg = str(err.value)
    recorded = read_class_means(str(path))[field]
    assert repr(field) in msg and repr(value) in msg and repr(recorded) in msg
    assert 'compute_class_means' in msg


def test_teacher_digest(tmp_path):
    model = nn.Linear(3, 2)
    ckpt = tmp_path / 't.pth'
    torch.save(model.state_dict(), str(ckpt))
    d_file = teacher_digest(str(ckpt), model)
    assert len(d_file) == 16 and d_file == teacher_digest(str(ckpt))
    d_model = teacher_digest(None, model)
    assert d_model == state_dict_digest(model.state_dict())
    with torch.no_grad():
        model.weight[0, 0] += 1
    assert teacher_digest(None, model) != d_model
    with pytest.raises(ValueError):
        teacher_digest('http://example.com/missing.pth')


def test_accumulator_equals_direct_mean():
    g = torch.Generator().manual_seed(1)
    emb = torch.randn(50, 4, generator=g)
    labels = torch.randint(0, 4, (50, ), generator=g)
    labels[:4] = torch.arange(4)  # every class present
    acc = ClassMeanAccumulator(4, 4)
    for chunk in range(0, 50, 7):
        acc.update(emb[chunk:chunk + 7], labels[chunk:chunk + 7])
    acc.all_reduce()  # not distributed: a no-op
    means = acc.means()
    for k in range(4):
        rows = [emb[i] for i in range(50) if labels[i] == k]
        direct = torch.stack(rows).sum(0) / len(rows)
        assert torch.allclose(means[k], direct, atol=1e-6)
        assert acc.counts[k].item() == len(rows)
    with pytest.raises(RuntimeError):
        acc.all_reduce()


def test_accumulator_unseen_classes():
    acc = ClassMeanAccumulator(3, 2)
    acc.update(torch.ones(2, 2), torch.tensor([0, 0]))
    with pytest.raises(ValueError, match=r'2 of 3 classes'):
        acc.means()
    with pytest.warns(UserWarning, match='zeros'):
        means = acc.means(allow_missing=True)
    assert torch.equal(means[1:], torch.zeros(2, 2)) and torch.equal(means[0], torch.ones(2))
    with pytest.raises(ValueError, match=r'\[0, 3\)'):
        acc.update(torch.ones(1, 2), torch.tensor([3]))


def _dist_worker(rank, init_file, result_file):
    import torch.distributed as dist
    dist.init_process_group('gloo', init_method=f'file://{init_file}', rank=rank, world_size=2)
    acc = ClassMeanAccumulator(2, 1)
    # rank 0 sees class 0 twice (1, 3); rank 1 sees class 0 once (5) and class 1 once (10).
    if rank == 0:
        acc.update(torch.tensor([[1.0], [3.0]]), torch.tensor([0, 0]))
    else:
        acc.update(torch.tensor([[5.0], [10.0]]), torch.tensor([0, 1]))
    means = acc.all_reduce().means()
    if rank == 0:
        torch.save({'means': means, 'counts': acc.counts}, result_file)
    dist.destroy_process_group()


def test_accumulator_all_reduce_two_ranks(tmp_path):
    import torch.multiprocessing as mp
    result = tmp_path / 'result.pth'
    # fork: the children inherit the imported modules instead of re-importing mmkd_ext (seconds).
    mp.start_processes(_dist_worker, args=(str(tmp_path / 'init'), str(result)), nprocs=2,
                       start_method='fork')
    out = torch.load(str(result), weights_only=True)
    assert torch.allclose(out['means'], torch.tensor([[3.0], [10.0]]))
    assert out['counts'].tolist() == [3, 1]
