#!/usr/bin/env bash
# Packs what it takes to check and time libranet on another machine's Vulkan
# device into one directory: the tools and the test programs that need no
# GStreamer, libranet, the model, the golden vectors, the shared libraries
# they load that a bare Linux may lack, and run.sh, which runs it all there.
#
# The target machine may have none of this project's packages (no GLib, no
# json-glib, possibly no Vulkan loader), so every library outside a short
# list that any glibc system has is copied in, and run.sh points
# LD_LIBRARY_PATH at them (the binaries are not relinked). See docs/GPU.md.
#
# Usage: scripts/gpu-bundle.sh [--build DIR] [--out DIR] [--no-validation-layer]
#   --build DIR            the meson build directory (default: build), built first
#   --out DIR              where the bundle goes (default: BUILD/gpu-bundle), replaced
#   --no-validation-layer  leave out the Khronos validation layer (about 22 MiB)
set -euo pipefail

# What a directory travelling to a lent machine may hold in all (docs/GPU.md).
readonly MAX_BYTES=$((64 * 1024 * 1024))

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=build
out=
with_layer=1

while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-validation-layer) with_layer=0; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu-bundle.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

cd "$src"
[ -n "$out" ] || out=$build/gpu-bundle

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build"
fi
meson compile -C "$build"

tools=(ranet-selfcheck ranet-bench ranet-opbench)
tests=(test-vk test-vk-sync test-ops test-ops-batch test-ops-classifier test-net test-net-batch test-preprocess test-preprocess-regions)

rm -rf "$out"
mkdir -p "$out/bin" "$out/lib/fallback" "$out/models" "$out/golden" "$out/python/ranet"

for t in "${tools[@]}"; do
  cp "$build/tools/$t" "$out/bin/"
done
for t in "${tests[@]}"; do
  cp "$build/tests/$t" "$out/bin/"
done
# -L: libranet.so.0 is a link to the versioned file; the bundle holds the file
# under the name the programs ask for.
cp -L "$build/core/libranet.so.0" "$out/lib/"

cp models/fashion-mnist-ranet.safetensors "$out/models/"
cp tests/golden/* "$out/golden/"
# ranet-bench --config imagenet writes its model through bench_torch.py (with
# PyTorch, which the lent machines have); its weights are random, so it is
# made there, once per run, rather than carried.
cp python/bench_torch.py "$out/python/"
cp python/ranet/*.py "$out/python/ranet/"
cp scripts/gpu-bundle-run.sh "$out/run.sh"
chmod +x "$out/run.sh"

# Libraries every glibc-based Linux has, in versions at least as new as
# Debian 12's on any recent distribution: taken from the host. libstdc++ and
# libgcc_s are here for the validation layer alone.
is_system_lib() {
  case "$1" in
    linux-vdso.so.*|ld-linux*|libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|\
    libstdc++.so.*|libgcc_s.so.*) return 0 ;;
    *) return 1 ;;
  esac
}

# Every library the programs load, directly or not (ldd walks the whole tree),
# by the path it resolves to here. The build tree's copies are the ones asked:
# their RUNPATH ($ORIGIN/../core) finds libranet there, not in the bundle.
collect_libs() {
  local f name arrow path
  for f in "$@"; do
    while read -r name arrow path _; do
      [ "$arrow" = "=>" ] || continue
      if [ -z "$path" ] || [ "$path" = "not" ]; then
        echo "gpu-bundle.sh: $f: $name not found here" >&2
        return 1
      fi
      printf '%s %s\n' "$name" "$path"
    done < <(ldd "$f")
  done
}

lib_list=$(mktemp)
trap 'rm -f "$lib_list"' EXIT
programs=()
for t in "${tools[@]}"; do programs+=("$build/tools/$t"); done
for t in "${tests[@]}"; do programs+=("$build/tests/$t"); done
collect_libs "${programs[@]}" "$build/core/libranet.so.0" >"$lib_list"
mapfile -t libs < <(sort -u "$lib_list")
for entry in "${libs[@]}"; do
  name=${entry%% *}
  path=${entry#* }
  if is_system_lib "$name" || [ "$name" = libranet.so.0 ]; then
    continue
  fi
  if [ "$name" = libvulkan.so.1 ]; then
    # The host's loader knows its own driver layout best; this copy is used
    # only where the host has none (run.sh decides).
    cp -L "$path" "$out/lib/fallback/"
  else
    cp -L "$path" "$out/lib/"
  fi
done

# The validation layer, for the tests' synchronisation checks where the host
# has none: its manifest names the library by a path relative to itself.
if [ "$with_layer" = 1 ]; then
  layer_json=
  for d in /usr/share/vulkan/explicit_layer.d /etc/vulkan/explicit_layer.d \
      /usr/local/share/vulkan/explicit_layer.d; do
    if [ -f "$d/VkLayer_khronos_validation.json" ]; then
      layer_json=$d/VkLayer_khronos_validation.json
      break
    fi
  done
  layer_so=$(ldconfig -p | awk '/libVkLayer_khronos_validation.so / { print $NF; exit }')
  if [ -n "$layer_json" ] && [ -n "$layer_so" ]; then
    mkdir -p "$out/layers"
    cp -L "$layer_so" "$out/layers/libVkLayer_khronos_validation.so"
    sed 's|"library_path": *"[^"]*"|"library_path": "./libVkLayer_khronos_validation.so"|' \
      "$layer_json" >"$out/layers/VkLayer_khronos_validation.json"
  else
    echo "gpu-bundle.sh: no Khronos validation layer here; the bundle goes without it" >&2
  fi
fi

bytes=$(du -sb "$out" | cut -f1)
printf 'gpu-bundle.sh: %s: %d files, %.1f MiB (limit %d MiB)\n' "$out" \
  "$(find "$out" -type f | wc -l)" "$(awk -v b="$bytes" 'BEGIN { print b / 1048576 }')" $((MAX_BYTES / 1048576))
if [ "$bytes" -gt "$MAX_BYTES" ]; then
  echo "gpu-bundle.sh: the bundle is over the limit; try --no-validation-layer" >&2
  exit 1
fi
