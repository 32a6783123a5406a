#!/usr/bin/env bash
# Set up (or reuse) .venv and run the test suite. Extra arguments go to pytest.
#   bash scripts/test.sh            the full suite (what CI runs)
#   bash scripts/test.sh --quick    the fast subset, -m "not slow": every package's unit tests and
#                                   the smoke test of every toy, CIFAR and ImageNet config; leaves
#                                   out the trainings through the tools, the subprocesses and the
#                                   paper-scale detection / segmentation configs (~1 minute on 2
#                                   cores instead of ~9)
#   bash scripts/test.sh --quick -k class_means     extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=()
if [ "${1:-}" = "--quick" ]; then
  QUICK=(-m "not slow")
  shift
fi
bash scripts/setup_env.sh --test
exec .venv/bin/python -m pytest tests -q -p no:cacheprovider "${QUICK[@]}" "$@"
