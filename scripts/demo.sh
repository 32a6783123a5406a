#!/usr/bin/env bash
# Set up (or reuse) .venv, then run the CPU demo: toy data, teachers, students, distilled students.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh
.venv/bin/python tools/demo.py "$@"
echo "[demo] to run the tools yourself (python tools/train.py ..., see docs/get_started.md)," \
     "activate the environment first: source .venv/bin/activate"
