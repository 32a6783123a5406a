"""Check every distillation point on one real batch before the first training iteration."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from ..distillers import FeatureDistiller
from ..registry import HOOKS
from .random_state_hook import capture_random_state, restore_random_state

#: Samples in the checked batch: two, so that layers needing a batch statistic see one.
CHECK_BATCH_SIZE = 2


@HOOKS.register_module()
class DistillPointCheckHook(Hook):
    """Before training, run the first samples of the training set through both models once.

    A point whose student and teacher records differ in shape, whose record is not a tensor or
    whose connector expects other widths would stop the first iteration with a traceback after
    the whole start-up log; here it stops before anything is trained, with one message naming
    the point's config key (:meth:`FeatureDistiller.check_points`). It costs one forward of both
    models in eval mode. The random generators are restored afterwards (the pipeline's random
    transforms draw from them), so a run with the check trains exactly as one without it.

    ``tools/train.py`` adds it to every distillation run; ``--cfg-options check_points=False``
    leaves it out.
    """

    priority = 'VERY_HIGH'  # before ClassMeansHook streams the data through the teacher

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if not isinstance(model, FeatureDistiller) or not model.points:
            return
        loader = runner.train_dataloader
        dataset = loader.dataset
        state = capture_random_state()
        try:
            samples = [dataset[i] for i in range(min(CHECK_BATCH_SIZE, len(dataset)))]
            batch = model.data_preprocessor(loader.collate_fn(samples), False)
            model.check_points(batch['inputs'], batch['data_samples'])
        finally:
            restore_random_state(state)
