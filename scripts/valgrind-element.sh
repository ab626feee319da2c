#!/bin/bash
# valgrind memcheck over ranetclassify: a gst-launch-1.0 pipeline, the stress
# program playing five formats (RGB, I420, NV12, GRAY8, BGRx) with caps
# changes and NULL -> PLAYING -> NULL cycles, and the robustness tests (bad
# frames, injected faults, model file changes).
# Fails on any memory error and on any definite or indirect leak that
# tests/valgrind.supp does not explain.
#
#   scripts/valgrind-element.sh [BUILD-DIR]        # default: build
#   VALGRIND_ELEMENT_TESTS=1 scripts/valgrind-element.sh   # test-element too (long)
#
# Logs: BUILD-DIR/valgrind/*.log. Needs valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}"
meson compile -C "$BUILD" >/dev/null
OUT="$BUILD/valgrind"
mkdir -p "$OUT"

export GST_PLUGIN_PATH="$PWD/$BUILD/gst-plugin" GST_PLUGIN_PATH_1_0="$PWD/$BUILD/gst-plugin"
export GST_PLUGIN_SYSTEM_PATH_1_0="$(pkg-config --variable=pluginsdir gstreamer-1.0)"
export GST_REGISTRY="$PWD/$OUT/registry.bin"
export G_SLICE=always-malloc G_DEBUG=gc-friendly LP_NUM_THREADS=2
# The validation layer is not what is checked here, and it is slow under
# valgrind; the ordinary test suite runs with it.
export RANET_VK_VALIDATION=0
# Keep the Vulkan driver and layers mapped (the loader dlcloses them at
# vkDestroyInstance), so their one-time allocations stay reachable and their
# stacks keep their names (see tests/valgrind.supp).
LIBDIR=/usr/lib/x86_64-linux-gnu
PRELOAD=""
for lib in libvulkan_lvp.so libVkLayer_MESA_device_select.so libvulkan_intel.so \
           libvulkan_intel_hasvk.so libvulkan_radeon.so; do
  [ -f "$LIBDIR/$lib" ] && PRELOAD="${PRELOAD:+$PRELOAD:}$LIBDIR/$lib"
done
export LD_PRELOAD="$PRELOAD"

# The registry, once, outside valgrind: scanning runs every system plugin's
# init in a helper process, nothing of ours.
gst-inspect-1.0 ranetclassify >/dev/null

VALGRIND=(valgrind --tool=memcheck --error-exitcode=99 --leak-check=full
  --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect
  --suppressions="$PWD/tests/valgrind.supp" --num-callers=40 --track-origins=yes
  --smc-check=all-non-file --gen-suppressions=all --trace-children=no)

failed=0
run () {
  local name=$1
  shift
  local start=$SECONDS
  if "${VALGRIND[@]}" --log-file="$OUT/$name.log" "$@" >"$OUT/$name.out" 2>&1; then
    echo "valgrind $name: clean ($((SECONDS - start)) s)"
  else
    echo "valgrind $name: FAILED ($((SECONDS - start)) s), see $OUT/$name.log"
    grep -E "ERROR SUMMARY|definitely lost|indirectly lost" "$OUT/$name.log" || true
    failed=1
  fi
}

# Each process compiles every shader under valgrind first (minutes), so the
# formats share processes: the stress program plays five formats in turn.
run launch-RGB gst-launch-1.0 -q videotestsrc num-buffers=30 pattern=ball \
  ! video/x-raw,format=RGB,width=161,height=97 ! ranetclassify post-messages=true \
  ! ranetjson location="$OUT/launch-RGB.jsonl" every=2 ! fakesink
run stress-cycles "$BUILD/tests/ranet-stress" soak --frames 100 --caps-every 10 --cycle-every 40 \
  --max-growth 1000
run robustness "$BUILD/tests/test-element-robustness" -s /robustness/frames/8192x8192
if [ "${VALGRIND_ELEMENT_TESTS:-0}" = 1 ]; then
  run test-element "$BUILD/tests/test-element" -s /element/fashion-mnist-stream
fi
exit $failed
