#!/bin/bash
# The smallest ranetclassify pipeline: 300 frames of videotestsrc's bouncing
# ball at 640x480, 30 frames/s, classified by the built-in model, each result
# printed as a "ranet" element message (gst-launch-1.0 -m). Nothing here is a
# garment, so the classes mean little: this shows the plumbing, the exits and
# the latencies. Arguments are ranetclassify properties, e.g. top-k=5
# inference-interval=3. Run from a source tree, the plugin is taken from
# build/gst-plugin unless GST_PLUGIN_PATH says otherwise.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ -z "${GST_PLUGIN_PATH:-}" ] && [ -d "$here/../build/gst-plugin" ]; then
  export GST_PLUGIN_PATH="$here/../build/gst-plugin"
fi

exec gst-launch-1.0 -e -m videotestsrc num-buffers=300 pattern=ball \
  ! video/x-raw,width=640,height=480,framerate=30/1 ! videoconvert \
  ! ranetclassify post-messages=true "$@" ! fakesink sync=true
