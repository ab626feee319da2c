#!/bin/bash
# Configures (idempotently) and builds into build/ at the top of the tree.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -d build ] && [ -f build/build.ninja ]; then
  meson setup --reconfigure build
else
  meson setup build
fi
meson compile -C build
