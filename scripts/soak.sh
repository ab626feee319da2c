#!/bin/bash
# The full soak: 100,000 frames through ranetclassify, caps changing every
# 1,000 frames, the pipeline cycled through NULL every 10,000; prints the
# resident memory after the first 1,000 frames, once warm (15,000 frames: the
# first restart and a round of formats after it) and at the end, and fails if
# the end exceeds the warm figure by more than 5%. A short version runs in
# meson test (stress-soak).
#
#   scripts/soak.sh [BUILD-DIR] [extra ranet-stress options]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}"
shift || true
meson compile -C "$BUILD" tests/ranet-stress gst-plugin/gstranet >/dev/null
export GST_PLUGIN_PATH="$PWD/$BUILD/gst-plugin" GST_PLUGIN_PATH_1_0="$PWD/$BUILD/gst-plugin"
export GST_REGISTRY="$PWD/$BUILD/tests/stress-registry.bin" LP_NUM_THREADS="${LP_NUM_THREADS:-2}"
exec timeout 3h "$BUILD/tests/ranet-stress" soak --frames 100000 --caps-every 1000 --cycle-every 10000 \
  --max-growth 5 "$@"
