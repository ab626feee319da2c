#!/bin/bash
# Installs the packages, builds, and plays the Fashion-MNIST test set through
# ranetclassify as a video stream (filesrc ! rawvideoparse ! ranetclassify),
# as fast as the device allows. examples/ranet-json prints the result of every
# 500th frame as a JSON line and closes with a summary: frames, accuracy
# against the test labels, mean exit, frames per second. Arguments are
# ranetclassify properties (e.g. threshold-mode=fixed threshold=0.8). The
# Vulkan and op self-check is build/tools/ranet-selfcheck.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh

data=/usr/share/datasets/fashion-mnist
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# IDX files: the images' 28x28 grey frames follow a 16-byte header
zcat "$data/t10k-images-idx3-ubyte.gz" | tail -c +17 > "$tmp/frames.gray8"
zcat "$data/t10k-labels-idx1-ubyte.gz" > "$tmp/labels.idx"

export GST_PLUGIN_PATH="$PWD/build/gst-plugin"
echo "Playing $(( $(stat -c %s "$tmp/frames.gray8") / 784 )) Fashion-MNIST test images" \
  "through ranetclassify on $(build/tools/ranet-selfcheck --list-devices 2>/dev/null | head -n 1)"
build/examples/ranet-json --every 500 --labels "$tmp/labels.idx" \
  filesrc location="$tmp/frames.gray8" \
  ! rawvideoparse format=gray8 width=28 height=28 framerate=30/1 \
  ! videoconvert ! videoscale ! ranetclassify "$@" ! fakesink sync=false
