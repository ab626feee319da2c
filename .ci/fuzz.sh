#!/bin/bash
# Builds the libFuzzer targets with clang (build-fuzz/) and fuzzes the model
# loader for a while: 60 seconds by default, the CI regression run.
#
#   .ci/fuzz.sh                  # 60 s
#   .ci/fuzz.sh 1800             # 30 minutes
#   FUZZ_JOBS=2 .ci/fuzz.sh 600  # two processes
#
# The committed seed corpus (tests/fuzz/corpus/) is read, never written: new
# inputs go to build-fuzz/fuzz-corpus/, which later runs start from. A crash
# leaves its input in build-fuzz/fuzz-artifacts/ and fails the script; copy it
# into tests/fuzz/corpus/ once fixed, so test-fuzz-corpus keeps checking it.
# Needs: clang and libclang-rt-14-dev (Debian 12).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TO_RUN="${1:-60}"
JOBS="${FUZZ_JOBS:-1}"
BUILD=build-fuzz

if [ -f "$BUILD/build.ninja" ]; then
  meson setup --reconfigure "$BUILD" -Dfuzzing=true >/dev/null
else
  CC=clang meson setup "$BUILD" -Dfuzzing=true -Dtests=disabled -Dexamples=disabled -Dtools=false >/dev/null
fi
meson compile -C "$BUILD" tests/fuzz/fuzz-model-loader

mkdir -p "$BUILD/fuzz-corpus" "$BUILD/fuzz-artifacts"
LOG="$BUILD/fuzz-model-loader.log"
# Leaks are errors: libFuzzer checks after every input that allocated more
# than it freed, LeakSanitizer at exit. FUZZ_DETECT_LEAKS=0 turns both off.
# G_SLICE=always-malloc makes json-glib's nodes visible to LeakSanitizer
# (GLib 2.74 otherwise keeps them in its own magazines).
export ASAN_OPTIONS="abort_on_error=1:symbolize=1:detect_leaks=${FUZZ_DETECT_LEAKS:-1}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export G_SLICE=always-malloc
ARGS=(
  -dict=tests/fuzz/model.dict
  -max_total_time="$SECONDS_TO_RUN"
  -timeout=10
  -rss_limit_mb=2048
  -max_len=65536
  -print_final_stats=1
  -detect_leaks="${FUZZ_DETECT_LEAKS:-1}"
  -artifact_prefix="$BUILD/fuzz-artifacts/"
)
if [ "$JOBS" -gt 1 ]; then
  ARGS+=(-fork="$JOBS")
fi
status=0
"$BUILD/tests/fuzz/fuzz-model-loader" "${ARGS[@]}" "$BUILD/fuzz-corpus" tests/fuzz/corpus \
  >"$LOG" 2>&1 || status=$?
grep -E '^(stat::|Done )|ERROR|SUMMARY' "$LOG" || true
if [ "$status" -ne 0 ]; then
  echo "fuzz.sh: the fuzzer failed (exit $status); see $LOG and $BUILD/fuzz-artifacts/" >&2
  tail -60 "$LOG" >&2
  exit 1
fi
echo "fuzz.sh: no crash in $SECONDS_TO_RUN s ($LOG)"
