#!/usr/bin/env python3
"""ranetjson's lines as a consumer reads them, against the metadata of the same buffers.

Runs videotestsrc ! ranetclassify ! ranetjson ! appsink pipelines (PyGObject) and checks that every line is
valid against docs/ranetjson.schema.json (python3-jsonschema), is written shortest-round-trip, and holds the
fields of the RanetClassificationMeta on the buffer that reached the appsink with the same pts; that every
line is in the file as its buffer passes (tail -f), at EOS and across a flushing seek while the pipeline
still runs; every, append and truncate; standard output (gst-launch-1.0); and that an unwritable location
fails at start with a RESOURCE/OPEN_WRITE error naming the path. Exits 77 (skipped) where PyGObject with
Gst 1.0 is missing.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from gst_or_skip import Gst

try:
    import jsonschema
except ImportError:
    sys.exit("python3-jsonschema is missing: install it (scripts/install-deps.sh)")

from check_json_example import parse  # the shortest-round-trip check
from test_meta import top_k_entries

HERE = os.path.dirname(os.path.abspath(__file__))

META_NAME = "RanetClassificationMeta"
SCHEMA_PATH = os.path.join(HERE, "..", "docs", "ranetjson.schema.json")
SOURCE = "videotestsrc num-buffers={n} pattern=ball ! video/x-raw,width=64,height=48,framerate=30/1"
CLASSIFY = "ranetclassify name=c threshold-mode=fixed threshold=0.3 top-k=3"


def pull_all(sink):
    """The buffers the appsink named sink receives until EOS."""
    buffers = []
    while True:
        sample = sink.emit("try-pull-sample", 120 * Gst.SECOND)
        if sample is None:
            return buffers
        buffers.append(sample.get_buffer())


def check_bus(pipeline):
    msg = pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
    if msg is not None:
        err, debug = msg.parse_error()
        raise AssertionError(f"{err.message} ({debug})")


class RanetJsonTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        Gst.init(None)
        if Gst.ElementFactory.find("ranetjson") is None:
            raise AssertionError("ranetjson is not in GST_PLUGIN_PATH (%s)"
                                 % os.environ.get("GST_PLUGIN_PATH", "unset"))
        with open(SCHEMA_PATH) as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        cls.validator = jsonschema.Draft202012Validator(schema)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ranetjson-")
        self.path = os.path.join(self.tmp, "results.jsonl")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def read_lines(self, text=None, writing=False):
        """Every line of the file (or of text), parsed, validated against the schema. While the
        element may be writing, a last line without its newline is one being written: left out."""
        if text is None:
            with open(self.path) as f:
                text = f.read()
        if writing and not text.endswith("\n"):
            text = text[:text.rfind("\n") + 1]
        self.assertTrue(text == "" or text.endswith("\n"), "the last line is incomplete")
        lines = []
        for line in text.splitlines():
            problems = []
            value = parse(line, problems)
            self.assertEqual(problems, [], line)
            self.validator.validate(value)
            lines.append(value)
        return lines

    def run_pipeline(self, frames, json_props="", classify=CLASSIFY):
        """Plays to EOS; returns the buffers and the lines read while the pipeline still runs
        (ranetjson has not been stopped, so only its EOS flush put them in the file)."""
        pipeline = Gst.parse_launch(f"{SOURCE.format(n=frames)} ! {classify} "
                                    f"! ranetjson location={self.path} {json_props} "
                                    "! appsink name=sink sync=false")
        self.assertNotEqual(pipeline.set_state(Gst.State.PLAYING), Gst.StateChangeReturn.FAILURE)
        try:
            buffers = pull_all(pipeline.get_by_name("sink"))
            check_bus(pipeline)
            self.assertTrue(pipeline.get_by_name("sink").get_property("eos"), "the pipeline stalled")
            lines = self.read_lines()
        finally:
            pipeline.set_state(Gst.State.NULL)
        return buffers, lines

    def assert_line_is_meta(self, line, buf):
        self.assertEqual(line["pts"], buf.pts)
        # one segment from 0 at rate 1: stream and running time are the pts
        self.assertEqual(line["timestamp"], buf.pts)
        self.assertEqual(line["running-time"], buf.pts)
        self.assertEqual(line["resolution"], {"width": 64, "height": 48})
        s = buf.get_custom_meta(META_NAME).get_structure()
        c = line["classification"]
        for name in ("element", "model", "label"):
            self.assertEqual(c[name], s.get_string(name), name)
        for name in ("class-id", "exit", "num-exits"):
            self.assertEqual(c[name], s.get_int(name)[1], name)
        for name in ("confidence", "threshold"):
            self.assertEqual(c[name], s.get_double(name)[1], name)  # exact: shortest round trip
        for name in ("forced", "reused"):
            self.assertEqual(c[name], s.get_boolean(name)[1], name)
        self.assertEqual(c["macs"], s.get_uint64("macs")[1])
        self.assertEqual(c["latency-ns"], s.get_uint64("latency")[1])
        self.assertEqual(c["operating-point"], s.get_int("operating-point")[1])
        self.assertEqual(c["budget-ns"], s.get_uint64("budget")[1])
        self.assertEqual([(e["class-id"], e["label"], e["score"]) for e in c["top-k"]], top_k_entries(s))

    def test_lines_are_the_metadata(self):
        buffers, lines = self.run_pipeline(8)
        self.assertEqual(len(buffers), 8)
        self.assertEqual(len(lines), 8, "lines missing after EOS")
        for line, buf in zip(lines, buffers):
            self.assert_line_is_meta(line, buf)
        self.assertEqual(lines[0]["classification"]["element"], "c")
        self.assertEqual(len(lines[0]["classification"]["top-k"]), 3)

    def test_reused_results(self):
        buffers, lines = self.run_pipeline(4, classify="ranetclassify inference-interval=2")
        self.assertEqual([line["classification"]["reused"] for line in lines], [False, True, False, True])
        for line, buf in zip(lines, buffers):
            self.assert_line_is_meta(line, buf)

    def test_every(self):
        buffers, lines = self.run_pipeline(10, "every=3")
        self.assertEqual([line["pts"] for line in lines], [buffers[i].pts for i in (0, 3, 6, 9)])
        for line, i in zip(lines, (0, 3, 6, 9)):
            self.assert_line_is_meta(line, buffers[i])

    def test_buffers_without_result_write_nothing(self):
        pipeline = Gst.parse_launch(f"{SOURCE.format(n=3)} ! ranetjson location={self.path} "
                                    "! appsink name=sink sync=false")
        pipeline.set_state(Gst.State.PLAYING)
        try:
            self.assertEqual(len(pull_all(pipeline.get_by_name("sink"))), 3)
            check_bus(pipeline)
        finally:
            pipeline.set_state(Gst.State.NULL)
        self.assertEqual(self.read_lines(), [])

    def test_truncate_and_append(self):
        with open(self.path, "w") as f:
            f.write("not a result\n")
        _, first = self.run_pipeline(3)
        self.assertEqual(len(first), 3, "the old content was not truncated")
        _, both = self.run_pipeline(2, "append=true")
        self.assertEqual(len(both), 5)
        self.assertEqual(both[:3], first)
        self.assertEqual([line["pts"] for line in both[3:]], [0, 33333333])

    def test_flushing_seek(self):
        pipeline = Gst.parse_launch(f"{SOURCE.format(n=30)} ! {CLASSIFY} "
                                    f"! ranetjson location={self.path} "
                                    "! appsink name=sink sync=false max-buffers=2")
        sink = pipeline.get_by_name("sink")
        pipeline.set_state(Gst.State.PLAYING)
        try:
            before = [sink.emit("try-pull-sample", 120 * Gst.SECOND).get_buffer().pts for _ in range(5)]
            # a reader following the file (tail -f) has each line by the time its buffer passes
            following = [line["pts"] for line in self.read_lines(writing=True)]
            self.assertTrue(set(before) <= set(following), f"{before} pulled, {following} written")
            self.assertTrue(pipeline.seek_simple(Gst.Format.TIME, Gst.SeekFlags.FLUSH, 0))
            lines = self.read_lines(writing=True)
            written = [line["pts"] for line in lines]
            self.assertTrue(set(before) <= set(written), f"{before} pulled, {written} written")
            after = [buf.pts for buf in pull_all(sink)]
            check_bus(pipeline)
            self.assertEqual(after[0], 0, "the seek did not restart the stream")
            # every line written stays; every buffer after the seek has its line, the
            # file ending with them (the streaming thread may have written the first
            # of them before `written` was read)
            lines = self.read_lines()
            self.assertEqual([line["pts"] for line in lines[:len(written)]], written)
            self.assertEqual([line["pts"] for line in lines][-len(after):], after)
        finally:
            pipeline.set_state(Gst.State.NULL)

    def test_standard_output(self):
        launch = shutil.which("gst-launch-1.0")
        if launch is None:
            self.skipTest("gst-launch-1.0 is not installed")
        for location in ([], ["location=-"]):
            run = subprocess.run([launch, "-q"] + f"{SOURCE.format(n=3)} ! {CLASSIFY} ! ranetjson".split()
                                 + location + ["!", "fakesink"],
                                 capture_output=True, text=True, timeout=240)
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertEqual([line["pts"] for line in self.read_lines(run.stdout)], [0, 33333333, 66666666])

    def test_unwritable_location(self):
        for path in (os.path.join(self.tmp, "no-such-dir", "results.jsonl"), self.tmp):
            pipeline = Gst.parse_launch(f"{SOURCE.format(n=3)} ! {CLASSIFY} ! ranetjson name=json "
                                        "! fakesink")
            pipeline.get_by_name("json").set_property("location", path)
            try:
                self.assertEqual(pipeline.set_state(Gst.State.PAUSED), Gst.StateChangeReturn.FAILURE)
                msg = pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
                self.assertIsNotNone(msg)
                err, _ = msg.parse_error()
                self.assertTrue(err.matches(Gst.ResourceError.quark(), Gst.ResourceError.OPEN_WRITE), err)
                self.assertIn(path, err.message)
                self.assertEqual(msg.src.get_name(), "json")
            finally:
                pipeline.set_state(Gst.State.NULL)


if __name__ == "__main__":
    unittest.main(verbosity=2)
