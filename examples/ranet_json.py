#!/usr/bin/python3
"""ranet_json.py: ranetclassify's results as JSON lines, from Python.

The Python twin of ranet-json.c: builds a pipeline from a gst-launch-1.0
description (by default a short videotestsrc stream), watches the buffers
leaving the first ranetclassify with a pad probe, and prints one JSON object
per frame, read from buf.get_custom_meta("RanetClassificationMeta"). --labels
takes an uncompressed IDX label file (Fashion-MNIST's t10k-labels-idx1-ubyte)
for each frame's true class and a summary accuracy; --every N prints every Nth
frame. For a frame of regions (ranetclassify inference-region=roi-list) a line
holds the frame's "totals" and its "objects" as ranetjson writes them, and the
mean exit is over the classified regions. The last line is {"summary": ...}.
Needs PyGObject and GStreamer's
introspection data (Debian: python3-gi, gir1.2-gstreamer-1.0); no gst-python.

    GST_PLUGIN_PATH=build/gst-plugin examples/ranet_json.py --every 10
"""
import argparse
import json
import signal
import struct
import sys
import time
import warnings

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

META_NAME = "RanetClassificationMeta"
DEFAULT_LAUNCH = ("videotestsrc num-buffers=100 pattern=ball "
                  "! video/x-raw,width=320,height=240 ! videoconvert ! ranetclassify ! fakesink")


def load_idx_labels(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic != 0x801 or len(data) - 8 < count:
        sys.exit(f"ranet_json.py: {path}: not an uncompressed IDX label file")
    return data[8:8 + count]


def meta_to_dict(s):
    """The metadata structure as a dict, with the types the contract gives."""
    d = {
        "class-id": s.get_int("class-id")[1],
        "label": s.get_string("label"),
        "confidence": s.get_double("confidence")[1],
        "exit": s.get_int("exit")[1],
        "num-exits": s.get_int("num-exits")[1],
        "threshold": s.get_double("threshold")[1],
        "forced": s.get_boolean("forced")[1],
        "reused": s.get_boolean("reused")[1],
        "macs": s.get_uint64("macs")[1],
        "latency-ns": s.get_uint64("latency")[1],
        # absent from results written before they existed: no point, no budget
        "operating-point": s.get_int("operating-point")[1] if s.has_field("operating-point") else -1,
        "budget-ns": s.get_uint64("budget")[1] if s.has_field("budget") else 0,
        "top-k": [],
    }
    # top-k is a GstValueArray, which PyGObject cannot convert without
    # gst-python's overrides: read it as a GValueArray instead
    ok, array = s.get_array("top-k")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for i in range(array.n_values if ok else 0):
            entry = array.get_nth(i)
            d["top-k"].append({"class-id": entry.get_int("class-id")[1],
                               "label": entry.get_string("label"),
                               "score": entry.get_double("score")[1]})
    return d


def region_totals(s):
    """A roi-list result's totals, with ranetjson's names."""
    return {
        "element": s.get_string("element"),
        "model": s.get_string("model"),
        "inference-region": "roi-list",
        "regions": s.get_uint("regions")[1],
        "classified": s.get_uint("classified")[1],
        "skipped": s.get_uint("skipped")[1],
        "degenerate": s.get_uint("degenerate")[1],
        "macs": s.get_uint64("macs")[1],
        "latency-ns": s.get_uint64("latency")[1],
        "operating-point": s.get_int("operating-point")[1],
        "budget-ns": s.get_uint64("budget")[1] if s.has_field("budget") else 0,
    }


def region_object(o, model, width, height):
    """One region as ranetjson writes it (DL Streamer's gvametaconvert names where they overlap)."""
    x, y, w, h = (o.get_uint(f)[1] for f in ("x", "y", "w", "h"))
    roi_type = o.get_string("roi-type")
    d = {"x": x, "y": y, "w": w, "h": h, "region_id": o.get_int("id")[1], "roi_type": roi_type,
         "detection": {"bounding_box": {"x_min": min(x, width) / width, "y_min": min(y, height) / height,
                                        "x_max": min(x + w, width) / width,
                                        "y_max": min(y + h, height) / height},
                       "label": roi_type},
         "skipped": o.get_boolean("skipped")[1], "degenerate": o.get_boolean("degenerate")[1]}
    if not (d["skipped"] or d["degenerate"]):
        d["classification"] = {"label": o.get_string("label"), "label_id": o.get_int("class-id")[1],
                               "confidence": o.get_double("confidence")[1], "model": {"name": model},
                               "exit": o.get_int("exit")[1], "num-exits": o.get_int("num-exits")[1],
                               "forced": o.get_boolean("forced")[1], "macs": o.get_uint64("macs")[1]}
    return d


def regions_to_dict(s, width, height):
    """A roi-list result as {"totals": ..., "objects": [...]}."""
    d = {"totals": region_totals(s), "objects": []}
    ok, array = s.get_array("objects")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for i in range(array.n_values if ok else 0):
            d["objects"].append(region_object(array.get_nth(i), d["totals"]["model"], width, height))
    return d


class App:
    def __init__(self, args):
        self.every = args.every
        self.labels = load_idx_labels(args.labels) if args.labels else None
        self.frames = self.classified = self.exit_sum = self.exits = self.correct = 0
        self.first = self.last = 0.0
        self.status = 0

    def on_buffer(self, pad, info):
        meta = info.get_buffer().get_custom_meta(META_NAME)
        if meta is None:
            return Gst.PadProbeReturn.OK
        s = meta.get_structure()
        if s.get_string("inference-region") == "roi-list":
            return self.on_regions(pad, info.get_buffer(), s)
        d = meta_to_dict(s)
        n = self.frames
        self.last = time.monotonic()
        if n == 0:
            self.first = self.last
        self.frames += 1
        self.exit_sum += d["exit"]
        self.exits += 1
        self.classified += 0 if d["reused"] else 1
        if self.labels is not None and n < len(self.labels):
            d["truth"] = self.labels[n]
            d["correct"] = d["class-id"] == d["truth"]
            self.correct += d["correct"]
        if n % self.every == 0:
            pts = info.get_buffer().pts
            print(json.dumps({"frame": n, "pts": None if pts == Gst.CLOCK_TIME_NONE else pts,
                              **d}), flush=True)
        return Gst.PadProbeReturn.OK

    def on_regions(self, pad, buf, s):
        """A frame whose regions were classified: its totals and objects."""
        caps = pad.get_current_caps()
        width = caps.get_structure(0).get_int("width")[1] if caps else 1
        height = caps.get_structure(0).get_int("height")[1] if caps else 1
        d = regions_to_dict(s, max(width, 1), max(height, 1))
        n = self.frames
        self.last = time.monotonic()
        if n == 0:
            self.first = self.last
        self.frames += 1
        self.classified += 1
        for o in d["objects"]:
            if "classification" in o:
                self.exit_sum += o["classification"]["exit"]
                self.exits += 1
        if n % self.every == 0:
            pts = buf.pts
            print(json.dumps({"frame": n, "pts": None if pts == Gst.CLOCK_TIME_NONE else pts,
                              **d}), flush=True)
        return Gst.PadProbeReturn.OK

    def summary(self):
        seconds = self.last - self.first
        s = {"frames": self.frames, "classified": self.classified,
             "mean-exit": self.exit_sum / self.exits if self.exits else 0.0,
             "fps": (self.frames - 1) / seconds if self.frames > 1 and seconds > 0 else 0.0}
        if self.labels is not None and self.frames:
            s["accuracy"] = 100.0 * self.correct / self.frames
        print(json.dumps({"summary": s}), flush=True)


def find_classifier(pipeline):
    it = pipeline.iterate_recurse()
    while True:
        res, element = it.next()
        if res != Gst.IteratorResult.OK:
            return None
        factory = element.get_factory()
        if factory is not None and factory.get_name() == "ranetclassify":
            return element


def main():
    parser = argparse.ArgumentParser(description="ranetclassify's results as JSON lines")
    parser.add_argument("--every", type=int, default=1, help="print every Nth frame")
    parser.add_argument("--labels", help="IDX label file with each frame's true class")
    parser.add_argument("pipeline", nargs="*", help="a gst-launch-1.0 description")
    args = parser.parse_args()
    if args.every < 1:
        parser.error("--every takes a positive number")

    Gst.init(None)
    app = App(args)
    try:
        pipeline = Gst.parse_launch(" ".join(args.pipeline) or DEFAULT_LAUNCH)
    except GLib.Error as e:
        sys.exit(f"ranet_json.py: bad pipeline: {e.message}")
    classifier = find_classifier(pipeline)
    if classifier is None:
        sys.exit("ranet_json.py: the pipeline has no ranetclassify "
                 "(is the plugin in GST_PLUGIN_PATH?)")
    classifier.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, app.on_buffer)

    loop = GLib.MainLoop()

    def on_message(bus, msg):
        if msg.type == Gst.MessageType.ERROR:
            err, debug = msg.parse_error()
            print(f"ranet_json.py: {err.message}\n({debug})", file=sys.stderr)
            app.status = 1
            loop.quit()
        elif msg.type == Gst.MessageType.EOS:
            loop.quit()

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    # Ctrl-C ends the stream, so the summary covers what was seen
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT,
                         lambda: pipeline.send_event(Gst.Event.new_eos()) or True)

    if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        msg = bus.pop_filtered(Gst.MessageType.ERROR)
        if msg is not None:
            on_message(bus, msg)
        app.status = 1
    else:
        loop.run()
    pipeline.set_state(Gst.State.NULL)
    bus.remove_signal_watch()
    if app.status == 0:
        app.summary()
    return app.status


if __name__ == "__main__":
    sys.exit(main())
