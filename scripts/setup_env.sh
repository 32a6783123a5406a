#!/usr/bin/env bash
# Create (or reuse) the project virtual environment at .venv/ with the pinned OpenMMLab stack.
# Idempotent: a second run only checks that everything is importable and returns in seconds.
# Usage: bash scripts/setup_env.sh [--test]   (--test also installs the test-only dependencies)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="${MMKD_VENV:-$ROOT/.venv}"  # MMKD_VENV: build elsewhere (e.g. to swap in later)
PY="$VENV/bin/python"
STAMP="$VENV/.mmkd_ext_setup_v2"
WANT_TEST=0
[ "${1:-}" = "--test" ] && WANT_TEST=1

# mmcv 2.1.0 has no wheel for recent torch: build it with its C++ ops, once per machine and torch
# version, into a wheel cache that later set-ups (fresh clones, CI) install in seconds.
build_mmcv() {
  local torch_version cache wheel src
  torch_version=$("$PY" -c "import torch; print(torch.__version__.split('+')[0])")
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/mmkd_ext/mmcv-2.1.0-torch$torch_version"
  wheel=$(ls "$cache"/mmcv-2.1.0-*.whl 2>/dev/null | head -n 1 || true)
  if [ -z "$wheel" ]; then
    echo "[setup] building mmcv 2.1.0 with its C++ ops against torch $torch_version" \
         "(about 11 minutes on 2 cores; done once per machine)"
    src=$(mktemp -d)
    "$PY" -m pip download -q --no-deps --no-binary :all: "mmcv==2.1.0" -d "$src"
    tar xzf "$src"/mmcv-2.1.0.tar.gz -C "$src"
    # torch >= 2.14's headers need C++20; mmcv 2.1.0's setup.py pins C++14/17 for the host compiler.
    sed -i -e "s/extra_compile_args\['cxx'\] = \['-std=c++14'\]/extra_compile_args['cxx'] = ['-std=c++20']/" \
           -e "s/extra_compile_args\['cxx'\] = \['-std=c++17'\]/extra_compile_args['cxx'] = ['-std=c++20']/" \
           "$src/mmcv-2.1.0/setup.py"
    mkdir -p "$cache"
    # --no-build-isolation: build against the torch above, not a fresh multi-GB one.
    MMCV_WITH_OPS=1 MAX_JOBS="$(nproc)" "$PY" -m pip wheel -q --no-build-isolation --no-deps \
      -w "$cache" "$src/mmcv-2.1.0"
    rm -rf "$src"
    wheel=$(ls "$cache"/mmcv-2.1.0-*.whl | head -n 1)
  fi
  "${PIP[@]}" --no-deps "$wheel"
  "${PIP[@]}" "mmcv==2.1.0"  # its pure-Python dependencies
}

if [ ! -x "$PY" ]; then
  echo "[setup] creating virtual environment in .venv"
  python3.11 -m venv "$VENV" 2>/dev/null || python3 -m venv "$VENV"
fi
PIP=("$PY" -m pip install --disable-pip-version-check -q -c "$ROOT/scripts/constraints.txt")

if [ ! -f "$STAMP" ]; then
  # setuptools < 70: mmcv 2.1.0's setup.py imports pkg_resources; mmengine's `pkg::path` needs it at run time.
  # pip < 25: pip >= 25 prepares the metadata of mmcv's sdist (`pip download` in build_mmcv) in an
  # isolated environment with the newest setuptools, which has no pkg_resources, and fails.
  "${PIP[@]}" --upgrade "pip<25" "setuptools<70" wheel
  # torch + torchvision (mmpretrain imports torchvision). An existing pair (e.g. a cluster's CUDA
  # build) is kept. Here: 2.14.1/0.29.1 lie on local disk and import together; PyPI's torchvision
  # cannot load its ops beside the 2.13.0 CPU wheel, and the matching CPU build is not reachable.
  # torch 2.14 declares setuptools>=77 (for building extensions), which the pin below overrides:
  # install torch first, without the constraints, then restore setuptools<70 (pip warns; harmless).
  "$PY" -c "import torch, torchvision" 2>/dev/null || \
    "$PY" -m pip install --disable-pip-version-check -q "torch==2.14.1" "torchvision==0.29.1"
  "${PIP[@]}" "setuptools<70"
  "${PIP[@]}" "numpy<2" "mmengine==0.10.7" ninja psutil
  if ! "$PY" -c "import mmcv.ops" 2>/dev/null; then
    build_mmcv
  fi
  "${PIP[@]}" "mmdet==3.3.0" "mmsegmentation==1.2.2" "mmpretrain==1.2.0" ftfy regex
  "${PIP[@]}" --no-build-isolation --no-deps -e .
  touch "$STAMP"
fi
if [ "$WANT_TEST" = 1 ] && [ ! -f "$STAMP.test3" ]; then
  # build: tests/package/test_packaging.py builds the sdist and the wheel (without isolation).
  "${PIP[@]}" pytest "diffusers==0.31.0" build
  # openmim: the tests check that `mim train` runs a distillation config. Its dependency
  # opendatalab (dataset downloads, unused by `mim train`) pins old requests, rich and
  # setuptools through openxlab, so openmim comes without it.
  "${PIP[@]}" click colorama model-index pandas requests rich tabulate
  "${PIP[@]}" --no-deps "openmim==0.3.9"
  touch "$STAMP.test3"
fi
"$PY" - <<'PY'
import mmcv, mmdet, mmseg, mmpretrain, mmengine, torch, mmcv.ops  # noqa: F401
import mmkd_ext  # noqa: F401
print(f"[setup] ok: torch {torch.__version__}, mmengine {mmengine.__version__}, mmcv {mmcv.__version__}, "
      f"mmdet {mmdet.__version__}, mmseg {mmseg.__version__}, mmpretrain {mmpretrain.__version__}")
PY
