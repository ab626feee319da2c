#!/bin/bash
# Eight pipelines in eight threads of one process, on one shared Vulkan
# device, 10,000 frames each; every frame's result must equal the
# single-threaded one. A watchdog aborts on a stall of 120 s, and the whole
# run is bounded by timeout(1). A short version runs in meson test
# (stress-threads: 8 x 200).
#
#   scripts/stress-threads.sh [BUILD-DIR] [extra ranet-stress options]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}"
shift || true
meson compile -C "$BUILD" tests/ranet-stress gst-plugin/gstranet >/dev/null
export GST_PLUGIN_PATH="$PWD/$BUILD/gst-plugin" GST_PLUGIN_PATH_1_0="$PWD/$BUILD/gst-plugin"
export GST_REGISTRY="$PWD/$BUILD/tests/stress-registry.bin" LP_NUM_THREADS="${LP_NUM_THREADS:-2}"
exec timeout 3h "$BUILD/tests/ranet-stress" threads --threads 8 --frames 10000 --timeout 120 "$@"
