#!/bin/bash
# Plays the Fashion-MNIST test set (Debian's dataset-fashion-mnist) through
# ranetclassify as a 28x28 grey video at 30 frames/s, and shows each frame's
# result as a "ranet" element message (gst-launch-1.0 -m). The images file is
# gzip'ed IDX: its 10,000 frames follow a 16-byte header, so they are unpacked
# once to a temporary raw file that rawvideoparse plays. With --fps as the first
# argument the stream runs as fast as it can and fpsdisplaysink (from
# gstreamer1.0-plugins-bad) prints the frame rate instead. Further arguments are
# ranetclassify properties, e.g. threshold-mode=fixed threshold=0.8. Run from a
# source tree, the plugin is taken from build/gst-plugin unless GST_PLUGIN_PATH
# says otherwise. Ctrl-C stops.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
images="$data/t10k-images-idx3-ubyte.gz"

if [ ! -r "$images" ]; then
  echo "$images not found: install dataset-fashion-mnist (or set FASHION_MNIST_DIR)" >&2
  exit 1
fi
if [ -z "${GST_PLUGIN_PATH:-}" ] && [ -d "$here/../build/gst-plugin" ]; then
  export GST_PLUGIN_PATH="$here/../build/gst-plugin"
fi

fps=false
if [ "${1:-}" = "--fps" ]; then
  fps=true
  shift
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
zcat "$images" | tail -c +17 > "$tmp/frames.gray8"

source=(filesrc location="$tmp/frames.gray8"
  ! rawvideoparse format=gray8 width=28 height=28 framerate=30/1
  ! videoconvert ! videoscale)
if $fps; then
  if ! gst-inspect-1.0 fpsdisplaysink >/dev/null 2>&1; then
    echo "fpsdisplaysink not found: install gstreamer1.0-plugins-bad" >&2
    exit 1
  fi
  gst-launch-1.0 -e "${source[@]}" ! ranetclassify "$@" \
    ! fpsdisplaysink text-overlay=false video-sink=fakesink sync=false -v \
    | grep --line-buffered last-message
else
  gst-launch-1.0 -e -m "${source[@]}" ! ranetclassify post-messages=true "$@" \
    ! fakesink sync=true
fi
