"""What the tools share: loading a config from the command line and preparing it for a run."""
from .config import (add_runtime_args, is_distiller_config, load_cli_config, load_config,
                     load_distill_config, parse_runtime_args)
from .data_root import set_data_root
from .prepare import (build_model, explain_empty_datasets, init_distributed, prepare_test_config,
                      prepare_train_config, warn_if_nothing_to_resume)

__all__ = [
    'add_runtime_args', 'is_distiller_config', 'load_cli_config', 'load_config',
    'load_distill_config', 'parse_runtime_args', 'set_data_root', 'build_model',
    'explain_empty_datasets', 'init_distributed', 'prepare_test_config', 'prepare_train_config',
    'warn_if_nothing_to_resume'
]
