#!/usr/bin/env python3
"""ranetjson's lines for results of regions (inference-region=roi-list), without a classifier.

    test_ranetjson_regions.py FEED

FEED (tests/ranetjson-regions-feed.c) pushes hand-made results through ranetjson into a file and prints
each frame's metadata structure. Every line must parse, be written shortest-round-trip, validate against
docs/ranetjson.schema.json, and hold the metadata's fields: the totals, and one object per region with its
box, id, type, normalised bounding box, skipped and degenerate marks and, where classified, its class. The
full-frame line among them keeps its shape. Lines of the wrong shape must fail the schema. Exits 77
(skipped) where PyGObject with Gst 1.0 is missing.
"""
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import warnings

from gst_or_skip import Gst

try:
    import jsonschema
except ImportError:
    sys.exit("python3-jsonschema is missing: install it (scripts/install-deps.sh)")

from check_json_example import parse  # the shortest-round-trip check

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_PATH = os.path.join(HERE, "..", "docs", "ranetjson.schema.json")
FEED = None
WIDTH, HEIGHT = 320, 240


def objects_of(structure):
    """The objects of a roi-list structure, as Gst.Structures (through GValueArray: GstValueArray has no
    Python conversion without gst-python's overrides)."""
    ok, array = structure.get_array("objects")
    assert ok, "objects is not an array"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # GValueArray.get_nth
        # copies: the structures in the array go with it
        return [array.get_nth(i).copy() for i in range(array.n_values)]


class RegionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        Gst.init(None)
        with open(SCHEMA_PATH) as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        cls.validator = jsonschema.Draft202012Validator(schema)
        cls.tmp = tempfile.mkdtemp(prefix="ranetjson-regions-")
        path = os.path.join(cls.tmp, "results.jsonl")
        run = subprocess.run([FEED, path], capture_output=True, text=True, timeout=240)
        if run.returncode != 0:
            raise AssertionError(f"{FEED} failed ({run.returncode}): {run.stderr}")
        cls.structures = []
        for text in run.stdout.splitlines():
            s, _ = Gst.Structure.from_string(text)
            assert s is not None, text
            cls.structures.append(s)
        with open(path) as f:
            cls.text = f.read()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def lines(self):
        self.assertTrue(self.text.endswith("\n"))
        values = []
        for line in self.text.splitlines():
            problems = []
            value = parse(line, problems)
            self.assertEqual(problems, [], line)
            self.validator.validate(value)
            values.append(value)
        return values

    def test_a_line_per_result(self):
        lines = self.lines()
        self.assertEqual(len(lines), len(self.structures))
        self.assertEqual([line["pts"] for line in lines], [n * Gst.SECOND // 30 for n in range(5)])

    def test_totals(self):
        for line, s in zip(self.lines(), self.structures):
            if s.get_string("inference-region") != "roi-list":
                continue
            t = line["totals"]
            self.assertEqual(t["element"], s.get_string("element"))
            self.assertEqual(t["model"], s.get_string("model"))
            self.assertEqual(t["inference-region"], "roi-list")
            for name in ("regions", "classified", "skipped", "degenerate"):
                self.assertEqual(t[name], s.get_uint(name)[1], name)
            self.assertEqual(t["macs"], s.get_uint64("macs")[1])
            self.assertEqual(t["latency-ns"], s.get_uint64("latency")[1])
            self.assertEqual(t["operating-point"], s.get_int("operating-point")[1])
            self.assertEqual(t["budget-ns"], s.get_uint64("budget")[1])
            self.assertEqual(len(line["objects"]), t["regions"])
            self.assertNotIn("classification", line)

    def test_objects_are_the_metadata(self):
        seen = {"classified": 0, "skipped": 0, "degenerate": 0}
        for line, s in zip(self.lines(), self.structures):
            if s.get_string("inference-region") != "roi-list":
                continue
            for obj, o in zip(line["objects"], objects_of(s)):
                box = [o.get_uint(name)[1] for name in ("x", "y", "w", "h")]
                self.assertEqual([obj[name] for name in ("x", "y", "w", "h")], box)
                self.assertEqual(obj["region_id"], o.get_int("id")[1])
                self.assertEqual(obj["roi_type"], o.get_string("roi-type"))
                x, y, w, h = box
                self.assertEqual(obj["detection"], {
                    "bounding_box": {"x_min": min(x / WIDTH, 1.0), "y_min": min(y / HEIGHT, 1.0),
                                     "x_max": min((x + w) / WIDTH, 1.0), "y_max": min((y + h) / HEIGHT, 1.0)},
                    "label": o.get_string("roi-type")})
                skipped = o.get_boolean("skipped")[1]
                degenerate = o.get_boolean("degenerate")[1]
                self.assertEqual(obj["skipped"], skipped)
                self.assertEqual(obj["degenerate"], degenerate)
                if skipped or degenerate:
                    self.assertNotIn("classification", obj)
                    seen["skipped" if skipped else "degenerate"] += 1
                    continue
                seen["classified"] += 1
                c = obj["classification"]
                self.assertEqual(c["label"], o.get_string("label"))
                self.assertEqual(c["label_id"], o.get_int("class-id")[1])
                self.assertEqual(c["confidence"], o.get_double("confidence")[1])  # exact: shortest round trip
                self.assertEqual(c["model"], {"name": s.get_string("model")})
                self.assertEqual(c["exit"], o.get_int("exit")[1])
                self.assertEqual(c["num-exits"], o.get_int("num-exits")[1])
                self.assertEqual(c["forced"], o.get_boolean("forced")[1])
                self.assertEqual(c["macs"], o.get_uint64("macs")[1])
        self.assertTrue(all(n > 0 for n in seen.values()), seen)

    def test_edges_and_empty(self):
        lines = self.lines()
        self.assertEqual(lines[2]["objects"], [], "a frame without regions has an empty list")
        past = lines[3]["objects"][0]["detection"]["bounding_box"]
        self.assertEqual((past["x_max"], past["y_max"]), (1.0, 1.0), "clipped to the frame")
        outside = lines[0]["objects"][2]
        self.assertTrue(outside["degenerate"])
        self.assertEqual(outside["detection"]["bounding_box"]["x_min"], 1.0)
        self.assertEqual(lines[0]["objects"][4]["classification"]["label"], 'Bag "tote"')

    def test_full_frame_line_unchanged(self):
        line = self.lines()[1]
        self.assertNotIn("objects", line)
        self.assertNotIn("totals", line)
        self.assertEqual(line["classification"]["label"], "Sneaker")
        self.assertEqual(line["classification"]["top-k"], [{"class-id": 7, "label": "Sneaker", "score": 0.87}])

    def test_schema_rejects_mixed_shapes(self):
        roi, full = self.lines()[0], self.lines()[1]
        for bad in (dict(roi, classification=full["classification"]),
                    {k: v for k, v in roi.items() if k != "totals"},
                    dict(full, objects=[])):
            self.assertFalse(self.validator.is_valid(bad), bad.keys())
        skipped_with_class = copy.deepcopy(roi)
        skipped_with_class["objects"][1]["classification"] = roi["objects"][0]["classification"]
        self.assertFalse(self.validator.is_valid(skipped_with_class))
        classified_without = copy.deepcopy(roi)
        del classified_without["objects"][0]["classification"]
        self.assertFalse(self.validator.is_valid(classified_without))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: test_ranetjson_regions.py FEED")
    FEED = sys.argv.pop(1)
    unittest.main(verbosity=2)
