#!/bin/bash
# Classifies the regions of interest of frames whose answers are known:
#   ranetregionsrc ! ranetclassify inference-region=roi-list object-class=garment
#     ! ranetjson ! fakesink
# ranetregionsrc places Fashion-MNIST test images (Debian's
# dataset-fashion-mnist) at random in 640x480 frames, 24 a frame, each in a
# "garment" ROI carrying its true label, with 4 "decoy" ROIs on the background
# that object-class=garment leaves out. The whole test set is 417 frames;
# ranetjson writes each frame's results as JSON lines on standard output
# (--out FILE writes them to FILE instead). With --live the frames come at
# 30 frames/s as from a camera, otherwise as fast as they are classified.
# Further arguments are ranetregionsrc properties, e.g. start-index=9000
# max-size=56 seed=3. Run from a source tree, the plugins are taken from
# build/gst-plugin and build/tools/regionsrc unless GST_PLUGIN_PATH says
# otherwise. Ctrl-C stops.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
images="$data/t10k-images-idx3-ubyte.gz"
labels="$data/t10k-labels-idx1-ubyte.gz"

for f in "$images" "$labels"; do
  if [ ! -r "$f" ]; then
    echo "$f not found: install dataset-fashion-mnist (or set FASHION_MNIST_DIR)" >&2
    exit 1
  fi
done
if [ -z "${GST_PLUGIN_PATH:-}" ] && [ -d "$here/../build/gst-plugin" ]; then
  export GST_PLUGIN_PATH="$here/../build/gst-plugin:$here/../build/tools/regionsrc"
fi

live=false
out="-"
while [ $# -gt 0 ]; do
  case "$1" in
    --live) live=true; shift ;;
    --out) out="$2"; shift 2 ;;
    *) break ;;
  esac
done

for element in ranetregionsrc ranetclassify ranetjson; do
  if ! gst-inspect-1.0 "$element" >/dev/null 2>&1; then
    echo "$element not found: build the project (meson compile -C build) or set GST_PLUGIN_PATH" >&2
    exit 1
  fi
done
if ! gst-inspect-1.0 ranetclassify | grep -q inference-region; then
  echo "this ranetclassify cannot classify regions (no inference-region property)" >&2
  exit 1
fi

gst-launch-1.0 -q -e \
  ranetregionsrc images-location="$images" labels-location="$labels" is-live="$live" "$@" \
  ! ranetclassify inference-region=roi-list object-class=garment \
  ! ranetjson location="$out" \
  ! fakesink sync="$live"
