#!/usr/bin/env bash
# The "Use from any language" examples in README, run against the built binary:
#
#   bash scripts/examples.sh
#
# Python: examples/python (pytest, pinned in examples/python/requirements.txt, installed into
# ${CARGO_TARGET_DIR:-target}/examples-venv on first use). Node: examples/node (node:test, no
# dependencies). SCIMOCK_BIN=path uses that binary (default: target/debug/scimock, built with
# `cargo build --bin scimock` when missing). Exit status: non-zero when an example fails.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
if [ -z "${SCIMOCK_BIN:-}" ]; then
  cargo build --quiet --bin scimock
  SCIMOCK_BIN="$TARGET_DIR/debug/scimock"
fi
export SCIMOCK_BIN
VENV="$TARGET_DIR/examples-venv"
STAMP="$VENV/.requirements.sha256"
want=$(sha256sum examples/python/requirements.txt | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r examples/python/requirements.txt
  echo "$want" > "$STAMP"
fi
echo "examples.sh: python (pytest)" >&2
"$VENV/bin/python" -m pytest -q -p no:cacheprovider examples/python
echo "examples.sh: node (node:test)" >&2
node --test examples/node/
