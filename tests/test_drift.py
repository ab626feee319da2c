#!/usr/bin/env python3
"""A measured case of drift: the default model on a stream unlike its validation set, with and without online
calibration.

tests/drift_stream.py writes FRAMES Fashion-MNIST test images as a dimmer, noisier camera would give them (raw
GRAY8, labels known). Each run plays them through ranetclassify in adaptive mode with a fixed latency budget
and reads every frame's exit and class from its metadata. The budget is LATENCY_BUDGET_MS, or BUDGET_FULL_FRAMES
times a frame through every exit where that is more (a slower machine, a sanitized build; measured first on
TIMING_FRAMES frames): room for probes, and for the model's most accurate operating point.

- stored thresholds: the realised exit shares are off the plan (the frames are less confidently classified,
  so fewer leave early); at least one exit by more than DRIFT_POINTS points;
- online calibration (one probe in PROBE_INTERVAL frames, a window of WINDOW probes): from frame SETTLED on
  (the window full, then one recomputation period) every exit's share is within TOLERANCE_POINTS of the plan;
- both ways, fewer than MAX_MISS_SHARE of the frames miss their deadline, and the accuracy is reported (the
  labels are known), online no worse than MAX_ACCURACY_LOSS points below stored over the same frames.

The figures go to stdout (the test log). DRIFT_FRAMES and DRIFT_PROBE_INTERVAL in the environment change FRAMES
(up to the test set's 10,000) and PROBE_INTERVAL for a longer measurement than CI's. Exits 77 (skipped) without PyGObject, numpy or the Fashion-MNIST files.
"""
import os
import sys
import tempfile
import unittest
import warnings

from gst_or_skip import Gst

try:
    import numpy as np

    import drift_stream
except ImportError as e:
    print(f"skipped: {e}")
    sys.exit(77)

if not os.path.exists(os.path.join(drift_stream.FASHION_MNIST_DIR, "t10k-images-idx3-ubyte.gz")):
    print(f"skipped: no Fashion-MNIST test set in {drift_stream.FASHION_MNIST_DIR}")
    sys.exit(77)

META_NAME = "RanetClassificationMeta"
FRAMES = int(os.environ.get("DRIFT_FRAMES", "3000"))
PROBE_INTERVAL = int(os.environ.get("DRIFT_PROBE_INTERVAL", "2"))
WINDOW = 500
# the window fills after WINDOW x PROBE_INTERVAL frames; the thresholds are recomputed at once, and again every
# tenth of the window (another 100 frames): the shares are measured from there
SETTLED = WINDOW * PROBE_INTERVAL + WINDOW // 10 * PROBE_INTERVAL
LATENCY_BUDGET_MS = 25
BUDGET_FULL_FRAMES = 4
TIMING_FRAMES = 100
DRIFT_POINTS = 10.0
TOLERANCE_POINTS = 5.0
MAX_MISS_SHARE = 0.02
MAX_ACCURACY_LOSS = 2.0


def value_array(structure, field):
    ok, array = structure.get_array(field)
    assert ok, f"{field} is not an array"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # GValueArray.get_nth
        return [array.get_nth(i) for i in range(array.n_values)]


def play(frames_path, settings, num_buffers=-1):
    """Plays the stream through ranetclassify with settings (its properties); returns per frame (exit, class-id,
    forced, macs, latency), and the stats."""
    pipeline = Gst.parse_launch(
        f"filesrc location={frames_path} ! rawvideoparse format=gray8 width=28 height=28 framerate=30/1 "
        f"! identity eos-after={num_buffers} ! ranetclassify name=c {settings} ! appsink name=sink sync=false")
    sink = pipeline.get_by_name("sink")
    frames = []
    assert pipeline.set_state(Gst.State.PLAYING) != Gst.StateChangeReturn.FAILURE
    try:
        while True:
            sample = sink.emit("try-pull-sample", 120 * Gst.SECOND)
            if sample is None:
                break
            s = sample.get_buffer().get_custom_meta(META_NAME).get_structure()
            frames.append((s.get_int("exit")[1], s.get_int("class-id")[1], s.get_boolean("forced")[1],
                           s.get_uint64("macs")[1], s.get_uint64("latency")[1]))
        msg = pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
        if msg is not None:
            err, debug = msg.parse_error()
            raise AssertionError(f"{err.message} ({debug})")
        assert sink.get_property("eos"), "the pipeline stalled"
        stats = pipeline.get_by_name("c").get_property("stats")
    finally:
        pipeline.set_state(Gst.State.NULL)
    return frames, stats


def shares(frames, n_exits):
    """Each exit's share of the frames not forced out by their deadline."""
    exits = [e for e, _, forced, *_ in frames if not forced]
    return np.bincount(exits, minlength=n_exits) / max(len(exits), 1)


def accuracy(frames, labels):
    return 100.0 * float(np.mean([c == label for (_, c, *_), label in zip(frames, labels)]))


def exit_mmacs(frames, n_exits):
    """Each exit's cumulative multiply-adds in millions: the least a frame that left there spent (a probe that
    left there spent the whole network)."""
    return np.array([min(f[3] for f in frames if f[0] == k) if any(f[0] == k for f in frames) else 0
                     for k in range(n_exits)]) / 1e6


def mean_mmacs(frames):
    """Mean multiply-adds per frame in millions, probes (which run every exit) included."""
    return float(np.mean([f[3] for f in frames])) / 1e6


def fmt(values):
    return " ".join("%5.1f" % (100.0 * v) for v in values)


class DriftTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        Gst.init(None)
        assert Gst.ElementFactory.find("ranetclassify") is not None, "ranetclassify is not in GST_PLUGIN_PATH"
        cls.dir = tempfile.TemporaryDirectory()
        frames_path = os.path.join(cls.dir.name, "drift.gray8")
        cls.labels = drift_stream.write_stream(frames_path, os.path.join(cls.dir.name, "drift.labels"), FRAMES)
        # threshold 1: (nearly) every frame through every exit
        timing, _ = play(frames_path, "threshold-mode=fixed threshold=1.0", TIMING_FRAMES)
        cls.full_frame_ms = float(np.median([f[4] for f in timing])) / 1e6
        cls.budget_ms = max(LATENCY_BUDGET_MS, BUDGET_FULL_FRAMES * cls.full_frame_ms)
        adaptive = (f"latency-budget={int(cls.budget_ms * 1e6)} calibration-interval={PROBE_INTERVAL} "
                    f"calibration-window={WINDOW}")
        cls.stored, cls.stored_stats = play(frames_path, adaptive + " online-calibration=false")
        cls.online, cls.online_stats = play(frames_path, adaptive + " online-calibration=true")

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def test_drift_and_recovery(self):
        stats = self.stored_stats
        n_exits = len(value_array(stats, "planned-shares"))
        self.assertEqual(len(self.stored), FRAMES)
        self.assertEqual(len(self.online), FRAMES)
        self.assertEqual(stats.get_string("calibration-source"), "file")
        self.assertEqual(stats.get_uint64("probe-frames")[1], 0)

        # the plan: the stored run's points over every frame; the online run's since its last recomputation
        stored_plan = np.array(value_array(stats, "planned-shares"))
        stored_realised = shares(self.stored, n_exits)
        online_plan = np.array(value_array(self.online_stats, "planned-shares"))
        online_realised = shares(self.online[SETTLED:], n_exits)
        stored_late = shares(self.stored[SETTLED:], n_exits)
        macs = exit_mmacs(self.stored, n_exits)

        acc_stored = accuracy(self.stored, self.labels)
        acc_stored_late = accuracy(self.stored[SETTLED:], self.labels[SETTLED:])
        acc_online_late = accuracy(self.online[SETTLED:], self.labels[SETTLED:])
        misses = [s.get_uint64("deadline-misses")[1] for s in (stats, self.online_stats)]
        mean_latency = [s.get_uint64("mean-latency")[1] / 1e6 for s in (stats, self.online_stats)]

        print(f"{FRAMES} frames, latency budget {self.budget_ms:.1f} ms (a frame through every exit "
              f"{self.full_frame_ms:.2f} ms); exit shares in percent, exits 0..{n_exits - 1}")
        print(f"stored thresholds, all frames:       planned {fmt(stored_plan)}  realised {fmt(stored_realised)}"
              f"  accuracy {acc_stored:.2f}%")
        print(f"stored thresholds, frames {SETTLED}+:  realised {fmt(stored_late)}  accuracy {acc_stored_late:.2f}%")
        print(f"online calibration, frames {SETTLED}+: planned {fmt(online_plan)}  realised {fmt(online_realised)}"
              f"  accuracy {acc_online_late:.2f}%")
        print(f"online: {self.online_stats.get_uint64('probe-frames')[1]} probes, "
              f"{self.online_stats.get_uint64('recalibrations')[1]} recalibrations, "
              f"{self.online_stats.get_uint64('operating-point-changes')[1]} point changes")
        print(f"mean MMACs per frame, frames {SETTLED}+: stored {mean_mmacs(self.stored[SETTLED:]):.2f}, "
              f"online {mean_mmacs(self.online[SETTLED:]):.2f} (one frame in {PROBE_INTERVAL} a probe); "
              f"at the realised shares, probes aside: stored {float(stored_late @ macs):.2f}, "
              f"online {float(online_realised @ macs):.2f}, planned {float(online_plan @ macs):.2f}")
        print(f"deadline misses: stored {misses[0]}, online {misses[1]} of {FRAMES}; mean latency "
              f"stored {mean_latency[0]:.2f} ms, online {mean_latency[1]:.2f} ms")

        # the drift is real with the file's thresholds
        self.assertGreater(float(np.max(np.abs(stored_realised - stored_plan))) * 100.0, DRIFT_POINTS)
        # online calibration brings every exit back to its plan
        self.assertEqual(self.online_stats.get_string("calibration-source"), "online")
        self.assertGreaterEqual(self.online_stats.get_uint64("probe-frames")[1], WINDOW)
        for k in range(n_exits):
            self.assertLess(abs(online_realised[k] - online_plan[k]) * 100.0, TOLERANCE_POINTS,
                            f"exit {k}: realised {online_realised[k]:.3f}, planned {online_plan[k]:.3f}")
        # the budget still holds
        for m in misses:
            self.assertLess(m, MAX_MISS_SHARE * FRAMES)
        self.assertGreater(acc_online_late, acc_stored_late - MAX_ACCURACY_LOSS)


if __name__ == "__main__":
    unittest.main(verbosity=2)
