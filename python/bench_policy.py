#!/usr/bin/python3
"""Frame-rate holding, measured: a live Fashion-MNIST stream through ranetclassify.

Plays the Fashion-MNIST test set as a live 30 fps video (a synchronised identity paces it like a camera)
through ranetclassify into a synchronised appsink, once per configuration: adaptive against fixed
thresholds, each with and without CPU load from stress-ng. It prints one table row per run: frames,
frames late or dropped at the sink, mean exit, accuracy from the metadata, the element's budget,
deadline misses and forced exits, and the operating points the policy used (for python/plot_curves.py).

    /usr/bin/python3 python/bench_policy.py --frames 600 --json /tmp/policy-runs.json

This is a benchmark, not a test: its figures depend on the machine and on what else runs on it.
"""

import argparse
import collections
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"
LATE_TOLERANCE_NS = 2 * Gst.MSECOND


def write_raw_frames(path, n):
    """The IDX images file minus its 16-byte header: n GRAY8 28x28 frames back to back."""
    with gzip.open(os.path.join(DATA, "t10k-images-idx3-ubyte.gz"), "rb") as f:
        data = f.read()
    with open(path, "wb") as out:
        out.write(data[16:16 + 784 * n])
    with gzip.open(os.path.join(DATA, "t10k-labels-idx1-ubyte.gz"), "rb") as f:
        return list(f.read()[8:8 + n])


def run(raw, labels, mode, threshold, fps, extra):
    pipeline = Gst.parse_launch(
        "filesrc location=%s ! rawvideoparse format=gray8 width=28 height=28 framerate=%d/1 "
        "! identity sync=true ! ranetclassify name=c threshold-mode=%s threshold=%f %s "
        "! appsink name=sink sync=true qos=true max-lateness=%d emit-signals=true"
        % (raw, fps, mode, threshold, extra, Gst.SECOND // fps))
    sink = pipeline.get_by_name("sink")
    element = pipeline.get_by_name("c")
    seen = []
    late = [0]
    points = collections.Counter()
    frame_ns = Gst.SECOND // fps

    def on_sample(appsink):
        sample = appsink.emit("pull-sample")
        buf = sample.get_buffer()
        meta = buf.get_custom_meta("RanetClassificationMeta")
        s = meta.get_structure()
        # a synchronised sink hands a sample over at its running time plus the pipeline's latency (the
        # element's report and the sink's processing deadline): later than that, by more than the time a
        # callback takes to run, means it came late
        now = pipeline.get_clock().get_time() - pipeline.get_base_time()
        if now > buf.pts + pipeline.get_latency() + LATE_TOLERANCE_NS:
            late[0] += 1
        seen.append((buf.pts, s.get_value("class-id"), s.get_value("exit"), s.get_value("forced")))
        points[element.get_property("operating-point")] += 1
        return Gst.FlowReturn.OK

    sink.connect("new-sample", on_sample)
    loop = GLib.MainLoop()
    bus = pipeline.get_bus()
    bus.add_signal_watch()
    errors = []

    def on_message(_bus, msg):
        if msg.type == Gst.MessageType.EOS:
            loop.quit()
        elif msg.type == Gst.MessageType.ERROR:
            errors.append(msg.parse_error()[0].message)
            loop.quit()

    bus.connect("message", on_message)
    pipeline.set_state(Gst.State.PLAYING)
    loop.run()
    stats = element.get_property("stats")
    sink_stats = sink.get_property("stats")
    pipeline.set_state(Gst.State.NULL)
    if errors:
        raise RuntimeError(errors[0])

    correct = sum(1 for pts, cls, _, _ in seen if cls == labels[pts // frame_ns])
    return {
        "frames": len(labels),
        "rendered": sink_stats.get_value("rendered"),
        "dropped": sink_stats.get_value("dropped"),
        "late": late[0],
        "accuracy": 100.0 * correct / max(1, len(seen)),
        "mean_exit": sum(e for _, _, e, _ in seen) / max(1, len(seen)),
        "forced": stats.get_value("forced-exits"),
        "deadline_misses": stats.get_value("deadline-misses"),
        "budget_ms": stats.get_value("budget") / 1e6,
        "mean_latency_ms": stats.get_value("mean-latency") / 1e6,
        "points": dict(points),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", type=int, default=600)
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--threshold", type=float, default=0.9, help="threshold of the fixed runs")
    ap.add_argument("--load", default="stress-ng --cpu 4 --quiet",
                    help="command run beside the loaded runs (killed afterwards)")
    ap.add_argument("--extra", default="", help="more ranetclassify properties, e.g. budget-fraction=0.3")
    ap.add_argument("--json", help="write the runs here (for python/plot_curves.py --runs)")
    args = ap.parse_args()

    Gst.init(None)
    tmp = tempfile.mkdtemp()
    try:
        raw = os.path.join(tmp, "frames.gray8")
        labels = write_raw_frames(raw, args.frames)
        results = []
        for loaded in (False, True):
            stress = None
            if loaded:
                if shutil.which(args.load.split()[0]) is None:
                    print("(%s not installed: skipping the loaded runs)" % args.load.split()[0])
                    break
                stress = subprocess.Popen(args.load.split())
            try:
                for mode in ("adaptive", "fixed"):
                    r = run(raw, labels, mode, args.threshold, args.fps, args.extra)
                    r.update(mode=mode, load=loaded)
                    results.append(r)
            finally:
                if stress:
                    stress.terminate()
                    stress.wait()
    finally:
        shutil.rmtree(tmp)

    print("%-9s %-5s %7s %5s %5s %9s %8s %7s %7s %9s %9s" % (
        "mode", "load", "frames", "late", "drop", "accuracy", "mean-exit", "forced", "misses",
        "budget-ms", "latency-ms"))
    for r in results:
        print("%-9s %-5s %7d %5d %5d %8.2f%% %8.2f %7d %7d %9.2f %9.2f" % (
            r["mode"], "yes" if r["load"] else "no", r["frames"], r["late"], r["dropped"], r["accuracy"],
            r["mean_exit"], r["forced"], r["deadline_misses"], r["budget_ms"], r["mean_latency_ms"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
