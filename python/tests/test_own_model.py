#!/usr/bin/python3
"""A model of one's own classes, from a folder of images to the element: python/train.py trains one short
epoch of a tiny network on a folder of four Fashion-MNIST classes, and the file it writes

- carries the folder names as labels, a calibration and a card;
- resumes: a second run asking for two epochs goes on from the first's checkpoint, and other options refuse it;
  a run stopped after epoch 1 of 2 and resumed ends with the weights of one that never stopped;
- runs in ranet-eval with PyTorch's class, exit and confidence for every image;
- runs in ranetclassify, whose labels property and metadata give the folder names, and PyTorch's class at the
  exit each frame took;
- calibrates on a folder (python/calibrate.py) and survives an import round trip (python/import_checkpoint.py
  on the weights saved as a reference checkpoint gives the same outputs).

    PYTHONPATH=python /usr/bin/python3 python/tests/test_own_model.py build/tools/ranet-eval

Exits 77 (skipped) without the dataset-fashion-mnist package or PIL; the element part is skipped without
PyGObject's Gst, and the ranet-eval part without a ranet-eval argument.
"""

import contextlib
import importlib.util
import io
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import torch

import fmnist_folder

SKIP = 77
PER_CLASS = 24
EPOCHS_FIRST = 1
TINY = ["--nChannels", "4", "--growthRate", "4", "--head-channels", "16", "--batch", "24", "--threads", "1",
        "--val-fraction", "0.25", "--seed", "3"]
THRESHOLD = 0.3  # low enough for a barely trained network's exits to take frames early
CONF_TOL = 1e-4  # the engine and PyTorch both compute in float32

if not fmnist_folder.available():
    print("skipped: no Fashion-MNIST data")
    sys.exit(SKIP)
if importlib.util.find_spec("PIL") is None:  # the folders are written and read with it
    print("skipped: PIL (python3-pil) is not available")
    sys.exit(SKIP)

import calibrate  # noqa: E402
import import_checkpoint  # noqa: E402
import train  # noqa: E402
from ranet import image_folder, model_file  # noqa: E402
from ranet.evaluation import apply_thresholds, exit_outputs  # noqa: E402

RANET_EVAL = sys.argv.pop(1) if len(sys.argv) > 1 else None


def run_quietly(main, argv):
    """main(argv) with its stdout and stderr captured: returns both."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        main(argv)
    return out.getvalue(), err.getvalue()


def write_idx(path, array):
    """An IDX file of unsigned bytes."""
    with open(path, "wb") as f:
        f.write(bytes([0, 0, 0x08, array.ndim]))
        for d in array.shape:
            f.write(int(d).to_bytes(4, "big"))
        f.write(np.ascontiguousarray(array, dtype=np.uint8).tobytes())


class OwnModelTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        torch.set_num_threads(1)
        cls.tmp = tempfile.TemporaryDirectory()
        cls.folder = os.path.join(cls.tmp.name, "images")
        cls.images, cls.labels = fmnist_folder.write_folder(cls.folder, PER_CLASS)
        cls.names = sorted(fmnist_folder.CLASSES.values())
        cls.ckpt = os.path.join(cls.tmp.name, "checkpoints")
        cls.first = os.path.join(cls.tmp.name, "first.safetensors")
        cls.path = os.path.join(cls.tmp.name, "mine.safetensors")
        cls.first_out, cls.first_err = run_quietly(train.main, ["--data", cls.folder, "--out", cls.first,
                                                                "--epochs", str(EPOCHS_FIRST),
                                                                "--checkpoint-dir", cls.ckpt] + TINY)
        cls.first_state = torch.load(os.path.join(cls.ckpt, train.CHECKPOINT))["model"]
        cls.out, cls.err = run_quietly(train.main, ["--data", cls.folder, "--out", cls.path, "--epochs", "2",
                                                    "--checkpoint-dir", cls.ckpt] + TINY)
        cls.model, cls.meta = model_file.load(cls.path)
        cls.x = image_folder.to_tensor(cls.images[:, None], cls.meta["preprocess"]["mean"],
                                       cls.meta["preprocess"]["std"])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_file_carries_labels_calibration_and_card(self):
        self.assertEqual(self.meta["labels"], self.names)
        self.assertEqual(self.meta["config"]["num_classes"], 4)
        self.assertEqual(self.meta["preprocess"]["input_size"], [28, 28])
        self.assertEqual(self.meta["preprocess"]["channels"], 1)  # the PNGs are grey
        card = self.meta["card"]
        self.assertIn("--data " + self.folder, card["command"])
        self.assertEqual(card["seed"], 3)
        self.assertEqual(card["data"]["classes"]["hand bag"], {"train": 18, "val": 6})
        self.assertEqual(len(card["val_accuracy"]), self.model.num_exits)
        self.assertGreater(len(self.meta["calibration"]["operating_points"]), 1)
        self.assertTrue(os.path.getsize(os.path.splitext(self.path)[0] + "-training.png") > 0)
        self.assertIn("epoch 1/1", self.first_err)  # the progress bar

    def test_resumes_after_the_first_epoch(self):
        self.assertIn("resumed after epoch 1 of 2", self.err)
        self.assertNotIn("epoch 1/2", self.err)
        self.assertIn("epoch 2/2", self.err)
        ck = torch.load(os.path.join(self.ckpt, train.CHECKPOINT))
        self.assertEqual(ck["epoch"], 2)
        self.assertEqual([h["epoch"] for h in ck["history"]], [1, 2])
        name = "FirstLayer.layers.0.net.0.weight"
        self.assertFalse(torch.equal(ck["model"][name], self.first_state[name]), "the second epoch trained nothing")
        # other options do not resume from it
        with self.assertRaisesRegex(SystemExit, "other lr"):
            run_quietly(train.main, ["--data", self.folder, "--out", self.path, "--epochs", "3", "--lr", "0.05",
                                     "--checkpoint-dir", self.ckpt] + TINY)

    def test_resumed_run_is_the_uninterrupted_run(self):
        """Stopped after epoch 1 of 2 and resumed, a run ends with the weights of one that never stopped."""
        straight = os.path.join(self.tmp.name, "straight")
        split = os.path.join(self.tmp.name, "split")
        common = ["--data", self.folder, "--epochs", "2", "--out", os.path.join(self.tmp.name, "x.safetensors")]
        run_quietly(train.main, common + ["--checkpoint-dir", straight] + TINY)
        _, err = run_quietly(train.main, common + ["--checkpoint-dir", split, "--stop-after", "1"] + TINY)
        self.assertIn("stopped after epoch 1 of 2", err)
        self.assertEqual(torch.load(os.path.join(split, train.CHECKPOINT))["epoch"], 1)
        run_quietly(train.main, common + ["--checkpoint-dir", split] + TINY)
        a = torch.load(os.path.join(straight, "final.pt"))
        b = torch.load(os.path.join(split, "final.pt"))
        self.assertEqual(sorted(a), sorted(b))
        for name in a:
            self.assertTrue(torch.equal(a[name], b[name]), name)

    @unittest.skipIf(RANET_EVAL is None, "no ranet-eval given")
    def test_engine_matches_pytorch_image_by_image(self):
        images, labels = os.path.join(self.tmp.name, "images.idx"), os.path.join(self.tmp.name, "labels.idx")
        write_idx(images, self.images)
        write_idx(labels, self.labels)
        out = subprocess.run([RANET_EVAL, "--model", self.path, "--images", images, "--labels", labels,
                              "--threshold", str(THRESHOLD), "--per-image"],
                             check=True, capture_output=True, text=True).stdout
        conf, pred = exit_outputs(self.model, self.x)
        exits = apply_thresholds(conf, [THRESHOLD] * (self.model.num_exits - 1) + [-1.0])
        lines = [dict(f.split("=", 1) for f in line.split()) for line in out.splitlines() if line.startswith("image=")]
        self.assertEqual(len(lines), len(self.labels))
        self.assertGreater(len(set(exits)), 1, "every image left at one exit: the threshold checks too little")
        for f in lines:
            i, k = int(f["image"]), int(f["exit"])
            self.assertEqual(k, exits[i], "image %d" % i)
            self.assertEqual(int(f["class"]), pred[k, i], "image %d" % i)
            self.assertAlmostEqual(float(f["confidence"]), float(conf[k, i]), delta=CONF_TOL)

    def test_element_labels_are_the_folder_names(self):
        try:
            import gi
            gi.require_version("Gst", "1.0")
            from gi.repository import Gst
        except (ImportError, ValueError) as e:
            self.skipTest("PyGObject with Gst 1.0 is not available (%s)" % e)
        Gst.init(None)
        if Gst.ElementFactory.find("ranetclassify") is None:
            self.fail("ranetclassify is not in GST_PLUGIN_PATH (%s)" % os.environ.get("GST_PLUGIN_PATH", "unset"))
        frames = list(range(0, len(self.labels), 5))
        frame_dir = os.path.join(self.tmp.name, "frames")
        os.makedirs(frame_dir, exist_ok=True)
        from PIL import Image
        for n, i in enumerate(frames):
            Image.fromarray(self.images[i]).save(os.path.join(frame_dir, "%03d.png" % n))
        pipeline = Gst.parse_launch(
            "multifilesrc location=%s/%%03d.png stop-index=%d caps=image/png,framerate=10/1 ! pngdec "
            "! videoconvert ! ranetclassify name=c model=%s threshold-mode=fixed threshold=%g "
            "! appsink name=sink sync=false" % (frame_dir, len(frames) - 1, self.path, THRESHOLD))
        sink, element = pipeline.get_by_name("sink"), pipeline.get_by_name("c")
        conf, pred = exit_outputs(self.model, self.x)
        self.assertNotEqual(pipeline.set_state(Gst.State.PLAYING), Gst.StateChangeReturn.FAILURE)
        try:
            seen = 0
            while True:
                sample = sink.emit("try-pull-sample", 120 * Gst.SECOND)
                if sample is None:
                    break
                s = sample.get_buffer().get_custom_meta("RanetClassificationMeta").get_structure()
                class_id, k = s.get_int("class-id")[1], s.get_int("exit")[1]
                self.assertEqual(s.get_string("label"), self.names[class_id])
                self.assertEqual(class_id, pred[k, frames[seen]], "frame %d" % seen)
                seen += 1
            msg = pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
            self.assertIsNone(msg, msg and msg.parse_error()[0].message)
            self.assertEqual(seen, len(frames))
            self.assertEqual(list(element.get_property("labels")), self.names)
        finally:
            pipeline.set_state(Gst.State.NULL)

    def test_calibrates_on_a_folder(self):
        other = os.path.join(self.tmp.name, "other")
        fmnist_folder.write_folder(other, 10, offset=PER_CLASS)
        out_model = os.path.join(self.tmp.name, "recalibrated.safetensors")
        out, _ = run_quietly(calibrate.main, ["--model", self.path, "--data", other, "--out-model", out_model])
        self.assertIn("point  ratio", out)
        _, meta = model_file.load(out_model)
        self.assertNotEqual(meta["calibration"], self.meta["calibration"])
        self.assertGreater(len(meta["calibration"]["operating_points"]), 1)
        self.assertEqual(meta["labels"], self.names)
        self.assertIn(other, meta["card"]["calibration"])

    def test_import_round_trip(self):
        ckpt = os.path.join(self.tmp.name, "model_best.pth.tar")
        torch.save({"epoch": 2, "state_dict": {"module." + k: v for k, v in self.model.state_dict().items()}}, ckpt)
        out_model = os.path.join(self.tmp.name, "imported.safetensors")
        pre = self.meta["preprocess"]
        out, _ = run_quietly(import_checkpoint.main, [
            ckpt, "--out", out_model, "--nBlocks", "1", "--step", "2", "--nChannels", "4", "--growthRate", "4",
            "--head-channels", "16", "--in-channels", "1", "--input-size", "28", "28",
            "--mean", str(pre["mean"][0]), "--std", str(pre["std"][0]), "--calibrate-on", self.folder])
        self.assertIn("point  ratio", out)
        imported, meta = model_file.load(out_model)
        self.assertEqual(meta["labels"], self.names)
        self.assertEqual(meta["preprocess"], pre)
        self.assertEqual(meta["calibration"]["exit_macs"], self.meta["calibration"]["exit_macs"])
        with torch.no_grad():
            for a, b in zip(self.model(self.x), imported(self.x)):
                self.assertTrue(torch.equal(a, b))


if __name__ == "__main__":
    unittest.main()
