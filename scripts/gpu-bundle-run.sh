#!/usr/bin/env bash
# run.sh of the bundle that scripts/gpu-bundle.sh makes (it is copied there
# under that name; it runs from the bundle alone, not from the source tree).
#
# On whatever machine it lands: says which Vulkan drivers and devices it
# finds, runs ranet-selfcheck, the op and golden tests, ranet-opbench and
# ranet-bench (the default model and --config imagenet, each also with one
# submission per stage, with fused runs of layers forced on and off and, on
# CPU devices, storage instead of texel buffers), then a summary. Everything goes to stdout and, where $OUT is set,
# to $OUT/gpu-bundle-results.txt too.
#
# Environment (all optional):
#   RANET_BUNDLE_FRAMES           ranet-bench frames, default model (default 200)
#   RANET_BUNDLE_IMAGENET_FRAMES  ranet-bench frames, --config imagenet (default 50)
#   RANET_BUNDLE_OPBENCH_RUNS     ranet-opbench runs per shape (default 3; 0 skips it)
#   RANET_BUNDLE_SKIP_TESTS=1     only the benchmarks
#   RANET_BUNDLE_VALIDATION       off, on or sync for the tests (default: sync where
#                                 the Khronos validation layer is found, else off)
#   RANET_VULKAN_DEVICE           which device (index or part of its name)
#   PYTHON                        a python3 with PyTorch for the ImageNet-style model
set -uo pipefail
# Not -e: a failing step is recorded and the rest still runs, so that one
# lease gives every figure it can; the exit status says whether all passed.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
frames=${RANET_BUNDLE_FRAMES:-200}
imagenet_frames=${RANET_BUNDLE_IMAGENET_FRAMES:-50}
opbench_runs=${RANET_BUNDLE_OPBENCH_RUNS:-3}
python=${PYTHON:-python3}

if [ -n "${OUT:-}" ]; then
  mkdir -p "$OUT"
  results=$OUT/gpu-bundle-results.txt
  exec > >(tee "$results") 2>&1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

summary=()
failed=0

# run_step NAME CMD...: runs CMD with its output shown, records pass/fail and
# seconds for the summary.
run_step() {
  local name=$1 start rc
  shift
  echo
  echo "=== $name"
  echo "\$ $*"
  start=$(date +%s.%N)
  "$@"
  rc=$?
  local secs
  secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  if [ "$rc" -eq 0 ]; then
    summary+=("| $name | ok | $secs | |")
  else
    summary+=("| $name | FAILED (exit $rc) | $secs | |")
    failed=1
  fi
  return "$rc"
}

note() {
  summary+=("| $1 | $2 | | |")
}

echo "ranet GPU bundle: $here"
echo "host: $(uname -srm), $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"

# ---- libraries: the bundle's own, and a Vulkan loader only where the host has none
export LD_LIBRARY_PATH=$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
# (awk reads all of ldconfig's output: grep -q would stop early, and the
# pipeline then fail on SIGPIPE under pipefail)
host_vulkan=$(ldconfig -p 2>/dev/null | awk '/libvulkan\.so\.1 / { print $NF; exit }')
if [ -n "$host_vulkan" ]; then
  echo "Vulkan loader: the host's ($host_vulkan)"
else
  export LD_LIBRARY_PATH=$here/lib/fallback:$LD_LIBRARY_PATH
  echo "Vulkan loader: none on the host; using the bundle's lib/fallback/libvulkan.so.1"
fi
export PATH=$here/bin:$PATH
export RANET_GOLDEN_DIR=$here/golden

# ---- Vulkan drivers (ICDs): without one there is no device at all
echo
echo "=== Vulkan drivers"
icd_dirs=(/usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d
  /usr/local/etc/vulkan/icd.d)
# NVIDIA's driver on the lent machines lives here, outside the loader's search path.
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
for v in VK_DRIVER_FILES VK_ICD_FILENAMES VK_ADD_DRIVER_FILES; do
  [ -n "${!v:-}" ] && echo "$v=${!v}"
done
found_icds=()
for d in "${icd_dirs[@]}"; do
  for f in "$d"/*.json; do
    [ -e "$f" ] && found_icds+=("$f")
  done
done
if [ "${#found_icds[@]}" -gt 0 ]; then
  printf 'ICD manifest: %s\n' "${found_icds[@]}"
fi
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] && [ -f "$nvidia_icd" ] \
    && [[ " ${found_icds[*]} " != *nvidia* ]]; then
  export VK_DRIVER_FILES=$nvidia_icd VK_ICD_FILENAMES=$nvidia_icd
  echo "ICD manifest: $nvidia_icd (not in the loader's search path: VK_DRIVER_FILES set to it)"
  found_icds+=("$nvidia_icd")
fi
if [ "${#found_icds[@]}" -eq 0 ] && [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
  echo "NO VULKAN ICD: no driver manifest in ${icd_dirs[*]} or $nvidia_icd, and"
  echo "VK_DRIVER_FILES / VK_ICD_FILENAMES unset: there is no Vulkan device to run on."
fi

echo
echo "=== Vulkan devices (ranet-selfcheck --list-devices)"
devices=$(ranet-selfcheck --list-devices 2>&1)
list_rc=$?
echo "$devices"
if [ "$list_rc" -ne 0 ] || [ -z "$devices" ]; then
  echo "NO VULKAN DEVICE: ranet-selfcheck --list-devices found none (exit $list_rc)"
  summary+=("| list devices | FAILED (exit $list_rc) | | |")
  failed=1
fi
if [ "$list_rc" -ne 0 ] || [ -z "$devices" ]; then
  # Every step after this one would fail the same way; ranet-selfcheck shows
  # the error once more, in full.
  run_step "ranet-selfcheck" ranet-selfcheck
  note "tests and benchmarks" "not run: no Vulkan device"
  echo
  echo "=== summary"
  echo "| step | result | seconds | frame, all exits: median wall / GPU ms |"
  echo "| --- | --- | ---: | --- |"
  printf '%s\n' "${summary[@]}"
  exit 1
fi
# Texel buffers are chosen only on CPU implementations (ranet_op_texel_input()
# in core/ops/op-private.h); the automatic choice prefers a GPU, so the device
# in use is a CPU only where every device listed is one.
on_cpu=0
if [ -n "$devices" ] && ! grep -qv '(CPU)$' <<<"$devices"; then
  on_cpu=1
fi

# ---- validation layer for the tests
layer_dirs=(/usr/share/vulkan/explicit_layer.d /etc/vulkan/explicit_layer.d
  /usr/local/share/vulkan/explicit_layer.d)
host_layer=
for d in "${layer_dirs[@]}"; do
  [ -f "$d/VkLayer_khronos_validation.json" ] && host_layer=$d/VkLayer_khronos_validation.json
done
validation=${RANET_BUNDLE_VALIDATION:-}
echo
echo "=== Khronos validation layer"
if [ -n "$host_layer" ]; then
  echo "the host's: $host_layer"
  validation=${validation:-sync}
elif [ -f "$here/layers/VkLayer_khronos_validation.json" ]; then
  export VK_LAYER_PATH=$here/layers
  echo "none on the host; using the bundle's layers/ (VK_LAYER_PATH=$VK_LAYER_PATH)"
  validation=${validation:-sync}
else
  echo "NO VALIDATION LAYER on the host or in the bundle: the tests run with"
  echo "RANET_VK_VALIDATION unset (no validation: results are checked, API misuse is not)"
  validation=${validation:-off}
fi

# ---- checks
run_step "ranet-selfcheck" ranet-selfcheck

run_test() {
  local name=$1
  shift
  run_step "$name (validation $validation)" env "$@"
}

if [ "${RANET_BUNDLE_SKIP_TESTS:-0}" != 1 ]; then
  # As tests/meson.build sets them, less the validation level where there is no layer.
  # (env's -u must come before its assignments)
  if [ "$validation" = off ]; then
    test_env=(-u RANET_VK_VALIDATION)
  else
    test_env=(RANET_VK_VALIDATION="$validation")
  fi
  test_env+=(G_DEBUG=fatal-criticals G_SLICE=always-malloc RANET_CONDITIONAL_STAGES=1)
  for t in test-vk test-vk-sync test-ops test-ops-batch test-ops-classifier test-preprocess test-preprocess-regions test-net test-net-batch; do
    # by full path: some tests run themselves again (g_test_trap_subprocess())
    run_test "$t" "${test_env[@]}" "$here/bin/$t"
  done
  # tests/meson.build's test-net-per-stage: a submission per stage
  run_test "test-net, RANET_CONDITIONAL_STAGES=0" "${test_env[@]}" RANET_CONDITIONAL_STAGES=0 "$here/bin/test-net"
  # fused runs of layers, off by default on GPUs, against the golden files too
  run_test "test-net, RANET_FUSED_LAYERS=1" "${test_env[@]}" RANET_FUSED_LAYERS=1 "$here/bin/test-net"
else
  note "tests" "skipped (RANET_BUNDLE_SKIP_TESTS=1)"
fi

# ---- benchmarks (no validation: it would be timed too)
unset RANET_VK_VALIDATION

if [ "$opbench_runs" -gt 0 ]; then
  run_step "ranet-opbench -n $opbench_runs" ranet-opbench -n "$opbench_runs"
fi

# run_bench NAME ARGS...: run_step for ranet-bench, its line for one frame
# through every exit (wall and GPU medians) copied into the summary.
run_bench() {
  local name=$1 log=$work/bench.txt
  shift
  local figure
  : >"$log"
  # shellcheck disable=SC2016 # the inner shell expands them: $0 is the log
  run_step "$name" bash -c 'set -o pipefail; "$@" 2>&1 | tee "$0"' "$log" "$@" || true
  figure=$(sed -n 's/^Every exit as one frame .*: wall median \([0-9.]*\) ms.*GPU median \([0-9.]*\) ms.*/ \1 \/ \2/p' "$log")
  if [ -n "$figure" ] && [[ "${summary[-1]}" == *"| ok |"* ]]; then
    summary[-1]="${summary[-1]%|}${figure# } |"
  fi
}

# bench NAME FRAMES ARGS...: the default, one submission per stage, fused
# runs of layers against none (the default differs between CPU devices and
# GPUs: these rows decide it), and on a CPU device storage buffers only.
bench() {
  local name=$1 n=$2
  shift 2
  local common=(--no-torch -n "$n" --profile-runs 3 --preprocess-runs 20 "$@")
  run_bench "ranet-bench $name" ranet-bench "${common[@]}"
  run_bench "ranet-bench $name, RANET_CONDITIONAL_STAGES=0" \
    env RANET_CONDITIONAL_STAGES=0 ranet-bench "${common[@]}"
  run_bench "ranet-bench $name, RANET_FUSED_LAYERS=1" \
    env RANET_FUSED_LAYERS=1 ranet-bench "${common[@]}"
  run_bench "ranet-bench $name, RANET_FUSED_LAYERS=0" \
    env RANET_FUSED_LAYERS=0 ranet-bench "${common[@]}"
  if [ "$on_cpu" = 1 ] || [ -n "${RANET_VULKAN_DEVICE:-}" ]; then
    run_bench "ranet-bench $name, RANET_TEXEL_BUFFERS=0" \
      env RANET_TEXEL_BUFFERS=0 ranet-bench "${common[@]}"
  else
    echo
    echo "=== ranet-bench $name, RANET_TEXEL_BUFFERS=0: not run"
    echo "The device is a GPU: libranet reads through texel buffers only on CPU devices"
    echo "(ranet_op_texel_input()), and nothing forces them on a GPU, so storage buffers"
    echo "are what the rows above already measure."
    note "ranet-bench $name, RANET_TEXEL_BUFFERS=0" "not run: the same as the default on a GPU"
  fi
}

bench "default model" "$frames" "$here/models/fashion-mnist-ranet.safetensors"

if "$python" -c 'import torch, numpy' 2>/dev/null; then
  # Written once by the first run, then reused by the others.
  bench "--config imagenet" "$imagenet_frames" --config imagenet \
    --model-cache "$work/imagenet.safetensors" \
    --python "$(command -v "$python")" --tools-dir "$here/python"
else
  echo
  echo "=== ranet-bench --config imagenet: not run"
  echo "$python has no PyTorch (or NumPy): it writes the ImageNet-style model (set PYTHON)."
  note "ranet-bench --config imagenet" "not run: no PyTorch in $python"
fi

echo
echo "=== summary"
echo "| step | result | seconds | frame, all exits: median wall / GPU ms |"
echo "| --- | --- | ---: | --- |"
printf '%s\n' "${summary[@]}"
[ -n "${results:-}" ] && echo "(also in $results)"
exit "$failed"
