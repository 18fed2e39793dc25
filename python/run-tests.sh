#!/usr/bin/env bash
# Tests the Python package as it ships: installs the iamkit wheel into a fresh
# virtual environment and runs pytest there against the installed wheel (not the
# source tree); then type-checks an example with mypy, checks the stubs against the
# installed module with mypy's stubtest and runs ruff on python/.
# The wheel is IAMKIT_PY_WHEEL (scripts/test.sh passes the one scripts/package.sh
# made), or else one built here with maturin (dev profile).
#
# Environment: CARGO_TARGET_DIR is honoured; IAMKIT_PY_WORK (default
# target/python-tests) holds the venv and the wheel; IAMKIT_PY_RELEASE=1 builds
# the wheel in release mode.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)
work=${IAMKIT_PY_WORK:-"$root/target/python-tests"}
rm -rf "$work"
mkdir -p "$work/wheels"

echo "== Python: fresh venv with the build and test tools"
python3 -m venv "$work/venv"
venv="$work/venv/bin"
"$venv/pip" install --quiet --disable-pip-version-check -r requirements-test.txt

if [ -n "${IAMKIT_PY_WHEEL:-}" ]; then
  echo "== Python: the wheel $IAMKIT_PY_WHEEL"
  cp "$IAMKIT_PY_WHEEL" "$work/wheels/"
else
  echo "== Python: build the wheel"
  profile=()
  if [ "${IAMKIT_PY_RELEASE:-0}" = 1 ]; then profile=(--release); fi
  "$venv/maturin" build --locked "${profile[@]}" --out "$work/wheels"
fi
"$venv/pip" install --quiet --disable-pip-version-check --no-index \
  --find-links "$work/wheels" iamkit

echo "== Python: ruff, mypy and stubtest"
"$venv/ruff" format --check --config "$root/ruff.toml" .
"$venv/ruff" check --config "$root/ruff.toml" .
(cd "$work" && "$venv/mypy" --strict "$root/python/tests/typing_example.py")
# The stubs of the native module (and the statically declared exception classes)
# against the installed module, with no allowlist.
(cd "$work" && "$venv/python" -m mypy.stubtest iamkit._native iamkit.exceptions)

echo "== Python: pytest against the installed wheel"
(cd "$work" && IAMKIT_EXPECT_INSTALLED=1 "$venv/python" -m pytest -q \
  -c "$root/python/pyproject.toml" --rootdir "$root/python" "$root/python/tests")
