#!/usr/bin/env bash
# Set up (or reuse) .venv, then run the CPU demo: toy data, teachers, students, distilled students.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh
exec .venv/bin/python tools/demo.py "$@"
