#!/bin/bash
# Builds and runs every test. The same command for CI and for people.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build.sh
meson test -C build --print-errorlogs "$@"
