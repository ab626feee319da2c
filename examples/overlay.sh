#!/bin/bash
# Shows ranetclassify's result drawn on each frame by ranetoverlay (label,
# confidence, exit bar, frames per second and mean exit), in a window:
#   ... ! ranetclassify ! ranetoverlay show-stats=true ! videoconvert ! autovideosink
# The frames are the Fashion-MNIST test set (Debian's dataset-fashion-mnist)
# at 30 frames/s, scaled from 28x28 to 448x448 after classification so that
# the model sees its own input size and the text has room; without the data
# set, videotestsrc. With --file OUT.avi as the first arguments the first
# 300 frames (--frames N to change) are written as Motion JPEG in AVI
# (jpegenc ! avimux, gstreamer1.0-plugins-good) instead. Further arguments
# are ranetoverlay properties, e.g. position=bottom-right font="Sans 16".
# With --regions the frames come from ranetregionsrc instead (the plugin in
# build/tools/regionsrc, the data set needed): 640x480 at 30 frames/s, six
# Fashion-MNIST images a frame as "garment" regions of interest, classified
# with inference-region=roi-list and drawn as boxes with their labels:
#   ranetregionsrc ! ranetclassify inference-region=roi-list object-class=garment
#     ! ranetoverlay show-stats=true ! videoconvert ! autovideosink
# VIDEO_SINK replaces autovideosink (e.g. ximagesink, or fakesink to check the
# pipeline where there is no display).
# Run from a source tree, the plugins are taken from build/gst-plugin and
# build/tools/regionsrc unless GST_PLUGIN_PATH says otherwise. Ctrl-C stops.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
images="$data/t10k-images-idx3-ubyte.gz"

if [ -z "${GST_PLUGIN_PATH:-}" ] && [ -d "$here/../build/gst-plugin" ]; then
  export GST_PLUGIN_PATH="$here/../build/gst-plugin:$here/../build/tools/regionsrc"
fi

out=""
frames=300
regions=false
while [ $# -gt 0 ]; do
  case "$1" in
    --file) out="$2"; shift 2 ;;
    --frames) frames="$2"; shift 2 ;;
    --regions) regions=true; shift ;;
    *) break ;;
  esac
done

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if $regions; then
  if [ ! -r "$images" ]; then
    echo "$images not found: --regions needs dataset-fashion-mnist (or FASHION_MNIST_DIR)" >&2
    exit 1
  fi
  source=(ranetregionsrc is-live=true regions=6 min-size=40 max-size=72
    images-location="$images" labels-location="$data/t10k-labels-idx1-ubyte.gz")
  [ -n "$out" ] && source+=(num-buffers="$frames")
  source+=(! "video/x-raw,format=BGRx,width=640,height=480,framerate=30/1")
elif [ -r "$images" ]; then
  zcat "$images" | tail -c +17 > "$tmp/frames.gray8"
  # one 28x28 frame per block, so num-buffers counts frames
  source=(filesrc location="$tmp/frames.gray8" blocksize=784)
  [ -n "$out" ] && source+=(num-buffers="$frames")
  # the queue keeps rawvideoparse from pulling the file itself, past num-buffers
  source+=(! queue ! rawvideoparse format=gray8 width=28 height=28 framerate=30/1)
else
  echo "$images not found: using videotestsrc" >&2
  source=(videotestsrc is-live=true)
  [ -n "$out" ] && source+=(num-buffers="$frames")
  source+=(! "video/x-raw,width=28,height=28,framerate=30/1")
fi

if $regions; then
  # a budget of the whole frame period: at the default half, a loaded CPU
  # skips regions
  overlay=(ranetclassify inference-region=roi-list object-class=garment budget-fraction=1.0
    ! ranetoverlay show-stats=true "$@")
else
  overlay=(ranetclassify ! videoscale method=nearest-neighbour
    ! "video/x-raw,width=448,height=448" ! ranetoverlay show-stats=true "$@")
fi
if [ -n "$out" ]; then
  gst-launch-1.0 -e "${source[@]}" ! "${overlay[@]}" ! videoconvert \
    ! jpegenc ! avimux ! filesink location="$out"
else
  gst-launch-1.0 -e "${source[@]}" ! "${overlay[@]}" ! videoconvert \
    ! "${VIDEO_SINK:-autovideosink}"
fi
