#!/bin/bash
# Installs every Debian 12 package needed to build, test and run ranet-gst.
set -euo pipefail

PACKAGES=(
  meson ninja-build gcc pkg-config
  glslang-tools libvulkan-dev mesa-vulkan-drivers vulkan-validationlayers
  libglib2.0-dev libjson-glib-dev zlib1g-dev
  python3 python3-numpy python3-torch
  # python/train.py and calibrate.py on folders of images, train.py's plot
  python3-pil python3-matplotlib
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad
  libpango1.0-dev libcairo2-dev
  python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0
  python3-jsonschema
  dataset-fashion-mnist
  # benchmark only: OpenCV DNN through ONNX in python/bench_engines.py (its
  # test, bench-engines-py, skips itself without them)
  python3-opencv python3-onnx
)

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "install-deps.sh: run as root or install sudo" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${PACKAGES[@]}"
