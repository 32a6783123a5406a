#!/usr/bin/env bash
# Sourced by the launch scripts in tools/: sets PY to the Python that has the OpenMMLab stack.
#   1. $PYTHON when set (e.g. PYTHON=/opt/conda/envs/mm/bin/python);
#   2. `python` when it imports torch (an activated virtualenv or conda environment);
#   3. the repository's .venv/bin/python (what scripts/setup_env.sh creates), so the scripts work
#      from a fresh shell without `source .venv/bin/activate`.
_mmkd_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -n "${PYTHON:-}" ]; then
  PY="$PYTHON"
elif command -v python >/dev/null 2>&1 && python -c "import torch" >/dev/null 2>&1; then
  PY=python
elif [ -x "$_mmkd_root/.venv/bin/python" ]; then
  PY="$_mmkd_root/.venv/bin/python"
else
  echo "No Python with torch found: activate your OpenMMLab environment, set PYTHON=/path/to/python," \
       "or run bash scripts/setup_env.sh to create .venv/." >&2
  exit 1
fi
