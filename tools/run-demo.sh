#!/bin/bash
# Installs the packages, builds, and runs the main job on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
tools/build.sh
./build/tools/ranet-selfcheck
