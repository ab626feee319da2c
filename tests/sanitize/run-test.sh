#!/bin/bash
# meson test --wrapper for a build with -Db_sanitize=address,undefined (see
# .ci/sanitize.sh): the sanitizer settings for one test process and its
# children, kept away from meson itself (a Python program, which the
# sanitizer runtime would slow down and report on).
#
# SANITIZE_NO_LEAKS=1 turns the exit-time leak check off (see
# .ci/sanitize.sh for which tests, and tests/lsan.supp for why).
here="$(cd "$(dirname "$0")" && pwd)"
libdir=/usr/lib/x86_64-linux-gnu

# The Vulkan loader unloads the driver and the layers (dlclose) when the last
# instance goes away. Their one-time allocations are then reachable only
# through data segments that no longer exist, and LeakSanitizer reports them
# with "<unknown module>" stacks that nothing can suppress. Preloaded, the
# libraries stay mapped and what they keep stays reachable. The sanitizer
# runtime comes first, so that Python can load the instrumented plugin.
preload="$(gcc -print-file-name=libasan.so)"
for lib in libvulkan_lvp.so libVkLayer_khronos_validation.so libVkLayer_MESA_device_select.so \
           libvulkan_intel.so libvulkan_intel_hasvk.so libvulkan_radeon.so; do
  if [ -f "$libdir/$lib" ]; then
    preload="$preload:$libdir/$lib"
  fi
done
export LD_PRELOAD="$preload${LD_PRELOAD:+:$LD_PRELOAD}"

if [ "${SANITIZE_NO_LEAKS:-0}" = 1 ]; then
  export ASAN_OPTIONS="detect_leaks=0"
else
  export ASAN_OPTIONS="detect_leaks=1"
fi
export LSAN_OPTIONS="suppressions=$here/../lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export GST_PLUGIN_SCANNER="$here/gst-plugin-scanner.sh"
exec "$@"
