#!/bin/sh
# GStreamer's plugin scanner, run without LeakSanitizer's exit check.
#
# The scanner is a helper process that loads every installed GStreamer
# plugin once to list its features, writes the registry and exits; what it
# leaks belongs to those system plugins (fontconfig, OpenNI2, ...), not to
# this project. ranet's plugin is loaded again, and checked, inside each
# test process that uses it. Memory errors are still reported.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS
scanner="$(pkg-config --variable=pluginscannerdir gstreamer-1.0 2>/dev/null)/gst-plugin-scanner"
[ -x "$scanner" ] || scanner=/usr/lib/x86_64-linux-gnu/gstreamer1.0/gstreamer-1.0/gst-plugin-scanner
exec "$scanner" "$@"
