#!/bin/bash
# Builds the project with AddressSanitizer and UndefinedBehaviorSanitizer in
# build-asan/ and runs the test suite there, leak checking included.
#
#   .ci/sanitize.sh              # every test
#   .ci/sanitize.sh test-net     # the named tests only
#
# The whole suite runs under both sanitizers. LeakSanitizer checks the tests
# of libranet (Vulkan layer, ops, preprocessing, model, graph, net, fuzz
# corpus); the tests that run GStreamer (element, stress, Python) are checked
# for memory errors and undefined behaviour but not for leaks, which valgrind
# covers with full stacks (scripts/valgrind-element.sh; tests/lsan.supp says
# why). The Python interpreter keeps its objects at exit by design.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=build-asan
if [ -f "$BUILD/build.ninja" ]; then
  meson setup --reconfigure "$BUILD" >/dev/null
else
  # b_lundef=false: the plugin and libranet link the sanitizer runtime only
  # through the executables that load them.
  meson setup "$BUILD" -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
meson compile -C "$BUILD"

WRAP=(--wrapper "$PWD/tests/sanitize/run-test.sh")

start=$(date +%s)
if [ $# -gt 0 ]; then
  all=("$@")
else
  mapfile -t all < <(meson test -C "$BUILD" --no-rebuild --list 2>/dev/null)
fi
leak_tests=()
noleak_tests=()
for t in "${all[@]}"; do
  case "$t" in
    # GStreamer, or a Python harness (example-*, ranet-eval: the interpreter
    # keeps its objects at exit by design)
    *-py|*-py-*|example-*|ranet-eval|test-element*|test-regionsrc|stress-*) noleak_tests+=("$t") ;;
    *) leak_tests+=("$t") ;;
  esac
done
if [ ${#leak_tests[@]} -gt 0 ]; then
  meson test -C "$BUILD" --no-rebuild --print-errorlogs "${WRAP[@]}" "${leak_tests[@]}"
fi
if [ ${#noleak_tests[@]} -gt 0 ]; then
  SANITIZE_NO_LEAKS=1 \
    meson test -C "$BUILD" --no-rebuild --print-errorlogs "${WRAP[@]}" "${noleak_tests[@]}"
fi
echo "sanitize.sh: the sanitized tests took $(( $(date +%s) - start )) s"
