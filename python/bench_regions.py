#!/usr/bin/python3
"""Regions of interest live: does ranetclassify hold the frame rate when every frame brings many objects?

    /usr/bin/python3 python/bench_regions.py [--regions 24] [--frames 300] [--fps 30] [--size 28:28]

Plays ranetregionsrc live (640x480 at --fps, --regions Fashion-MNIST garments a frame with known labels)
through ranetclassify inference-region=roi-list object-class=garment in adaptive mode, with the budget
taken from the frame rate (half the frame period, the element's default), into a sink that syncs to the
clock. Prints one Markdown table row: frames late (ended past their deadline, the policy's count), regions
skipped by the budget, mean exit of the classified regions, accuracy against the labels, mean and largest
frame latency. Run from the source tree after building (the plugins are taken from build/ unless
GST_PLUGIN_PATH says otherwise). For a loaded machine, run it beside e.g. `stress-ng --cpu 2`.
"""

import argparse
import os
import sys
import warnings

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import Gst, GstVideo  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "..", "build")


def objects_of(structure):
    ok, array = structure.get_array("objects")
    assert ok, "the frame's metadata has no objects list"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # GValueArray.get_nth
        return [array.get_nth(i).copy() for i in range(array.n_values)]


def run(args):
    min_size, max_size = args.size.split(":")
    pipeline = Gst.parse_launch(
        f"ranetregionsrc is-live=true regions={args.regions} decoys=4 min-size={min_size} "
        f"max-size={max_size} num-buffers={args.frames} "
        f"! video/x-raw,format=GRAY8,width=640,height=480,framerate={args.fps}/1 "
        "! ranetclassify name=classify inference-region=roi-list object-class=garment "
        "! appsink name=sink sync=true max-buffers=4")
    sink = pipeline.get_by_name("sink")
    classify = pipeline.get_by_name("classify")
    right = classified = exit_sum = 0
    latencies = []
    pipeline.set_state(Gst.State.PLAYING)
    try:
        while True:
            sample = sink.emit("try-pull-sample", 60 * Gst.SECOND)
            if sample is None:
                break
            buf = sample.get_buffer()
            s = buf.get_custom_meta("RanetClassificationMeta").get_structure()
            latencies.append(s.get_uint64("latency")[1] / 1e6)
            for obj in objects_of(s):
                if obj.get_value("skipped") or obj.get_value("degenerate"):
                    continue
                roi = GstVideo.buffer_get_video_region_of_interest_meta_id(buf, obj.get_int("id")[1])
                truth = roi.get_param("ground-truth").get_int("label_id")[1]
                classified += 1
                exit_sum += obj.get_int("exit")[1]
                right += obj.get_int("class-id")[1] == truth
        msg = pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
        if msg is not None:
            err, debug = msg.parse_error()
            sys.exit(f"bench_regions: {err.message} ({debug})")
        stats = classify.get_property("stats")
    finally:
        pipeline.set_state(Gst.State.NULL)
    frames = stats.get_uint64("frames")[1]
    late = stats.get_uint64("deadline-misses")[1]
    regions = stats.get_uint64("regions")[1]
    skipped = stats.get_uint64("regions-skipped")[1]
    budget_ms = stats.get_uint64("budget")[1] / 1e6
    print(f"| {args.regions} | {args.size.replace(':', '-')} | {frames} | {late} ({100.0 * late / max(frames, 1):.1f}%) "
          f"| {skipped} of {regions} | {exit_sum / max(classified, 1):.2f} "
          f"| {100.0 * right / max(classified, 1):.2f} | {sum(latencies) / max(len(latencies), 1):.1f} "
          f"| {max(latencies, default=0):.1f} | {budget_ms:.1f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--regions", type=int, default=24)
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--size", default="28:28", help="MIN:MAX box side in pixels")
    parser.add_argument("--header", action="store_true", help="print the table's header first")
    args = parser.parse_args()
    if "GST_PLUGIN_PATH" not in os.environ:
        os.environ["GST_PLUGIN_PATH"] = (os.path.join(BUILD, "gst-plugin") + ":"
                                         + os.path.join(BUILD, "tools", "regionsrc"))
    Gst.init(None)
    if args.header:
        print("| regions a frame | box side | frames | late | regions skipped | mean exit | accuracy % "
              "| mean latency ms | largest latency ms | budget ms |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    run(args)


if __name__ == "__main__":
    main()
