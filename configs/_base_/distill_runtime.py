# What every distillation config adds to its student's config: mmkd_ext registered (distillers,
# connectors, losses, hooks) and StudentCheckpointHook, which writes the student alone beside each
# checkpoint. A distillation config gets it through its setting base (configs/<method>/_base_/), or
# lists it after its student: _base_ = ['mmdet::<student config>', '../_base_/distill_runtime.py']
# A student config that registers mmkd_ext itself (the CIFAR-100 and MobileNetV1 students) already
# has custom_imports: its distillation configs use ./distill_hooks.py instead. A config with more
# hooks (ClassMeansHook, DistillLossWarmupHook) lists them all: a list replaces the inherited one.
_base_ = ['./distill_hooks.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)
