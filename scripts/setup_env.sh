#!/usr/bin/env bash
# Create (or reuse) the project virtual environment at .venv/ with the pinned OpenMMLab stack.
# Idempotent: a second run only checks that everything is importable and returns in seconds.
# Usage: bash scripts/setup_env.sh [--test]   (--test also installs the test-only dependencies)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
STAMP="$VENV/.mmkd_ext_setup_v1"
WANT_TEST=0
[ "${1:-}" = "--test" ] && WANT_TEST=1

if [ ! -x "$PY" ]; then
  echo "[setup] creating virtual environment in .venv"
  python3.11 -m venv "$VENV" 2>/dev/null || python3 -m venv "$VENV"
fi
PIP=("$PY" -m pip install --disable-pip-version-check -q -c "$ROOT/scripts/constraints.txt")

if [ ! -f "$STAMP" ]; then
  # setuptools < 70: mmcv 2.1.0's setup.py imports pkg_resources; mmengine's `pkg::path` needs it at run time.
  "${PIP[@]}" --upgrade "pip<25" "setuptools<70" wheel
  # The CPU wheel of torch; an existing torch (e.g. a CUDA build on a cluster) is kept as it is.
  "$PY" -c "import torch" 2>/dev/null || "${PIP[@]}" "torch==2.13.0"
  "${PIP[@]}" "numpy<2" "mmengine==0.10.7" ninja psutil
  if ! "$PY" -c "import mmcv.ops" 2>/dev/null; then
    echo "[setup] building mmcv 2.1.0 with its C++ ops (about 11 minutes on 2 cores the first time; pip caches the wheel)"
    # --no-build-isolation: build against the torch above, not a fresh multi-GB one.
    MMCV_WITH_OPS=1 MAX_JOBS="$(nproc)" "${PIP[@]}" --no-build-isolation "mmcv==2.1.0"
  fi
  "${PIP[@]}" "mmdet==3.3.0" "mmsegmentation==1.2.2" "mmpretrain==1.2.0" ftfy regex
  "${PIP[@]}" --no-build-isolation --no-deps -e .
  touch "$STAMP"
fi
if [ "$WANT_TEST" = 1 ] && [ ! -f "$STAMP.test" ]; then
  "${PIP[@]}" pytest "diffusers==0.31.0"
  touch "$STAMP.test"
fi
"$PY" - <<'PY'
import mmcv, mmdet, mmseg, mmpretrain, mmengine, torch, mmcv.ops  # noqa: F401
import mmkd_ext  # noqa: F401
print(f"[setup] ok: torch {torch.__version__}, mmengine {mmengine.__version__}, mmcv {mmcv.__version__}, "
      f"mmdet {mmdet.__version__}, mmseg {mmseg.__version__}, mmpretrain {mmpretrain.__version__}")
PY
