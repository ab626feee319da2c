#!/usr/bin/env python3
"""The RanetClassificationMeta contract as a Python (PyGObject) application sees it.

Runs videotestsrc ! ranetclassify ! appsink and reads every field of each
buffer's metadata through buf.get_custom_meta("RanetClassificationMeta"), with
the types ranet-classification-meta.h documents. Exits 77 (skipped) where
PyGObject with Gst 1.0 is missing; a missing ranetclassify is a failure (meson
builds the plugin before this test and points GST_PLUGIN_PATH at it, so not
finding it means it is broken, not absent).
"""
import os
import unittest
import warnings

from gst_or_skip import Gst

META_NAME = "RanetClassificationMeta"
FRAMES = 6


def top_k_entries(structure):
    """The top-k list as [(class-id, label, score)]: GstValueArray has no Python
    conversion without gst-python's overrides, so go through GValueArray."""
    ok, array = structure.get_array("top-k")
    assert ok, "top-k is not an array"
    entries = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # GValueArray.get_nth
        for i in range(array.n_values):
            entry = array.get_nth(i)
            assert entry.get_name() == "ranet-class"
            entries.append((entry.get_int("class-id")[1], entry.get_string("label"),
                             entry.get_double("score")[1]))
    return entries


def run(launch):
    """Plays launch (its appsink named sink) to the end; returns the buffers."""
    pipeline = Gst.parse_launch(launch)
    sink = pipeline.get_by_name("sink")
    buffers = []
    assert pipeline.set_state(Gst.State.PLAYING) != Gst.StateChangeReturn.FAILURE
    try:
        while True:
            sample = sink.emit("try-pull-sample", 120 * Gst.SECOND)
            if sample is None:
                break
            buffers.append(sample.get_buffer())
        msg = pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
        if msg is not None:
            err, debug = msg.parse_error()
            raise AssertionError(f"{err.message} ({debug})")
        assert sink.get_property("eos"), "the pipeline stalled"
    finally:
        pipeline.set_state(Gst.State.NULL)
    return buffers


class MetaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        Gst.init(None)
        if Gst.ElementFactory.find("ranetclassify") is None:
            raise AssertionError("ranetclassify is not in GST_PLUGIN_PATH (%s)"
                                 % os.environ.get("GST_PLUGIN_PATH", "unset"))

    def test_fields(self):
        buffers = run(f"videotestsrc num-buffers={FRAMES} pattern=ball "
                      "! video/x-raw,width=64,height=48 "
                      "! ranetclassify name=c threshold-mode=fixed threshold=0.7 top-k=4 "
                      "! appsink name=sink sync=false")
        self.assertEqual(len(buffers), FRAMES)
        for buf in buffers:
            meta = buf.get_custom_meta(META_NAME)
            self.assertIsNotNone(meta)
            s = meta.get_structure()
            class_id = s.get_int("class-id")[1]
            confidence = s.get_double("confidence")[1]
            exit_index = s.get_int("exit")[1]
            num_exits = s.get_int("num-exits")[1]
            threshold = s.get_double("threshold")[1]
            has_forced, forced = s.get_boolean("forced")
            has_reused, reused = s.get_boolean("reused")
            self.assertTrue(has_forced and has_reused)
            self.assertFalse(forced)  # no max-exit: only confidence ends a frame
            self.assertFalse(reused)
            self.assertIsInstance(s.get_string("label"), str)
            # which element and which model wrote it
            self.assertEqual(s.get_string("element"), "c")
            self.assertEqual(s.get_string("model"), "fashion-mnist-ranet.safetensors (built-in)")
            self.assertGreater(s.get_uint64("macs")[1], 0)
            self.assertGreater(s.get_uint64("latency")[1], 0)
            # fixed thresholds: no operating point, no budget
            self.assertEqual(s.get_int("operating-point"), (True, -1))
            self.assertEqual(s.get_uint64("budget"), (True, 0))

            self.assertTrue(0 <= class_id < 10)
            self.assertTrue(0.0 < confidence <= 1.0)
            self.assertEqual(num_exits, 5)
            self.assertTrue(0 <= exit_index < num_exits)
            # a frame leaves at the first exit that is confident enough; the
            # last exit takes every frame (threshold 0 there)
            if exit_index < num_exits - 1:
                self.assertAlmostEqual(threshold, 0.7)
                self.assertGreaterEqual(confidence, threshold)
            else:
                self.assertEqual(threshold, 0.0)

            top = top_k_entries(s)
            self.assertEqual(len(top), 4)
            self.assertEqual(top[0][0], class_id)
            self.assertEqual(top[0][1], s.get_string("label"))
            self.assertAlmostEqual(top[0][2], confidence)
            scores = [score for _, _, score in top]
            self.assertEqual(scores, sorted(scores, reverse=True))

    def test_operating_point_and_budget(self):
        # adaptive mode: the budget set, and a calibrated point per frame
        budget = 40 * Gst.MSECOND
        buffers = run(f"videotestsrc num-buffers={FRAMES} "
                      "! video/x-raw,width=64,height=48 "
                      f"! ranetclassify threshold-mode=adaptive latency-budget={budget} "
                      "! appsink name=sink sync=false")
        self.assertEqual(len(buffers), FRAMES)
        for buf in buffers:
            s = buf.get_custom_meta(META_NAME).get_structure()
            has_point, point = s.get_int("operating-point")
            self.assertTrue(has_point)
            self.assertGreaterEqual(point, 0)
            self.assertEqual(s.get_uint64("budget"), (True, budget))

    def test_reused_frames(self):
        buffers = run("videotestsrc num-buffers=4 ! ranetclassify inference-interval=2 "
                      "! appsink name=sink sync=false")
        reused = [buf.get_custom_meta(META_NAME).get_structure().get_boolean("reused")[1]
                  for buf in buffers]
        self.assertEqual(reused, [False, True, False, True])


if __name__ == "__main__":
    unittest.main(verbosity=2)
