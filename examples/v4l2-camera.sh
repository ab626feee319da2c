#!/bin/bash
# Classifies a V4L2 camera live: v4l2src ! videoconvert ! ranetclassify, each
# result written by ranetjson as a JSON line to results.jsonl in the current
# directory (follow it with tail -f results.jsonl) and the picture shown by
# autovideosink when there is a display (fakesink when not).
# The first argument may name the device (default /dev/video0); the others are
# ranetclassify properties, e.g. model=my-model.safetensors. The built-in model
# knows Fashion-MNIST's ten garments on a dark background, so point the camera
# at one. Run from a source tree, the plugin is taken from build/gst-plugin
# unless GST_PLUGIN_PATH says otherwise. Ctrl-C stops.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ -z "${GST_PLUGIN_PATH:-}" ] && [ -d "$here/../build/gst-plugin" ]; then
  export GST_PLUGIN_PATH="$here/../build/gst-plugin"
fi

device=/dev/video0
if [ "${1:-}" != "" ] && [ "${1#/dev/}" != "$1" ]; then
  device="$1"
  shift
fi
if [ ! -e "$device" ]; then
  echo "No camera at $device: connect one, or name another device as the first argument" >&2
  exit 1
fi
if ! gst-inspect-1.0 v4l2src >/dev/null 2>&1; then
  echo "v4l2src not found: install gstreamer1.0-plugins-good" >&2
  exit 1
fi

sink="fakesink sync=false"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  sink="videoconvert ! autovideosink"
fi
# shellcheck disable=SC2086  # $sink is a pipeline fragment
exec gst-launch-1.0 -e v4l2src device="$device" ! videoconvert \
  ! ranetclassify "$@" ! ranetjson location=results.jsonl ! $sink
