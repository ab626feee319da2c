#!/usr/bin/env python3
"""Regions of interest classified by ranetclassify against ranet-eval, over the whole Fashion-MNIST test set.

    check_roi_eval.py RANET_EVAL MODEL

ranetregionsrc places every test image once, unscaled (28x28), on 640x480 frames, 24 to a frame with 4
decoy regions of another type beside them. ranetclassify inference-region=roi-list object-class=garment at a
fixed threshold classifies the garments in batches. Each region's result must be ranet-eval's for that
image at the same threshold (the same exit and class, the confidence within CONF_TOL), the accuracy over
the 10,000 images must be ranet-eval's to the last printed digit, and no decoy may carry a result. Then the
same with crops scaled up (40 to 84 pixels a side): the accuracy is printed, not compared (the network saw
only 28x28 images). Exits 77 (skipped) without the dataset-fashion-mnist package or PyGObject.
"""
import os
import subprocess
import sys
import warnings

from gst_or_skip import Gst, SKIP

import gi

gi.require_version("GstVideo", "1.0")
from gi.repository import GLib, GstVideo  # noqa: E402

DATA = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
IMAGES = os.path.join(DATA, "t10k-images-idx3-ubyte.gz")
LABELS = os.path.join(DATA, "t10k-labels-idx1-ubyte.gz")
THRESHOLD = 0.9
N_IMAGES = 10000
REGIONS = 24
DECOYS = 4
# as tests/check_eval.py: both sides compute in float32
CONF_TOL = 1e-4


def eval_per_image(ranet_eval, model):
    """ranet-eval's answer per image: {index: (class, exit, confidence)}, and its accuracy line."""
    out = subprocess.run([ranet_eval, "--model", model, "--images", IMAGES, "--labels", LABELS,
                          "--threshold", str(THRESHOLD), "--per-image"],
                         check=True, capture_output=True, text=True).stdout
    images, accuracy = {}, None
    for line in out.splitlines():
        fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
        if line.startswith("image="):
            images[int(fields["image"])] = (int(fields["class"]), int(fields["exit"]),
                                            float(fields["confidence"]))
        elif line.startswith("accuracy="):
            accuracy = fields["accuracy"]
    assert len(images) == N_IMAGES and accuracy is not None, "ranet-eval printed no results"
    return images, accuracy


def objects_of(structure):
    ok, array = structure.get_array("objects")
    assert ok, "the frame's metadata has no objects list"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # GValueArray.get_nth
        # copies: the array, and what get_nth() lends, go with this frame
        return [array.get_nth(i).copy() for i in range(array.n_values)]


def classify_regions(min_size, max_size):
    """Plays the test set through roi-list mode; returns {index: (class, exit, confidence, label)}."""
    pipeline = Gst.parse_launch(
        f"ranetregionsrc regions={REGIONS} decoys={DECOYS} min-size={min_size} max-size={max_size} "
        "! video/x-raw,format=GRAY8,width=640,height=480 "
        "! ranetclassify name=classify inference-region=roi-list object-class=garment "
        f"threshold-mode=fixed threshold={THRESHOLD} "
        "! appsink name=sink sync=false")
    sink = pipeline.get_by_name("sink")
    results, decoys = {}, 0
    assert pipeline.set_state(Gst.State.PLAYING) != Gst.StateChangeReturn.FAILURE
    try:
        while True:
            sample = sink.emit("try-pull-sample", 300 * Gst.SECOND)
            if sample is None:
                break
            buf = sample.get_buffer()
            meta = buf.get_custom_meta("RanetClassificationMeta")
            assert meta is not None, "a frame without the metadata"
            s = meta.get_structure()
            assert s.get_string("inference-region") == "roi-list"
            objects = objects_of(s)
            for obj in objects:
                assert obj.get_string("roi-type") == "garment"
                assert not obj.get_value("skipped"), "a region skipped at a fixed threshold"
                roi = GstVideo.buffer_get_video_region_of_interest_meta_id(buf, obj.get_int("id")[1])
                truth = roi.get_param("ground-truth")
                param = roi.get_param("classification")
                index = truth.get_int("index")[1]
                assert index not in results, f"image {index} classified twice"
                assert param.get_int("label_id")[1] == obj.get_int("class-id")[1]
                assert param.get_int("exit")[1] == obj.get_int("exit")[1]
                results[index] = (obj.get_int("class-id")[1], obj.get_int("exit")[1],
                                  obj.get_double("confidence")[1], truth.get_int("label_id")[1])
            # the decoys follow the garments' ids (fewer where large boxes crowd the frame) and
            # carry nothing
            decoy_id = len(objects)
            while True:
                roi = GstVideo.buffer_get_video_region_of_interest_meta_id(buf, decoy_id)
                if roi is None:
                    break
                assert GLib.quark_to_string(roi.roi_type) == "decoy"
                assert roi.get_param("classification") is None, "a decoy was classified"
                decoys += 1
                decoy_id += 1
        msg = pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
        if msg is not None:
            err, debug = msg.parse_error()
            raise AssertionError(f"{err.message} ({debug})")
        assert sink.get_property("eos"), "the pipeline stalled"
    finally:
        pipeline.set_state(Gst.State.NULL)
    assert len(results) == N_IMAGES, f"{len(results)} of {N_IMAGES} images classified"
    assert decoys > 0, "no decoy regions seen"
    return results


def accuracy_of(results):
    right = sum(1 for c, _, _, label in results.values() if c == label)
    return f"{100.0 * right / len(results):.2f}"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    if not (os.path.exists(IMAGES) and os.path.exists(LABELS)):
        print(f"skipped: {IMAGES} not found (dataset-fashion-mnist)")
        sys.exit(SKIP)
    Gst.init(None)
    want, want_accuracy = eval_per_image(sys.argv[1], sys.argv[2])
    got = classify_regions(28, 28)
    for index, (c, e, conf, _) in sorted(got.items()):
        wc, we, wconf = want[index]
        assert (c, e) == (wc, we), f"image {index}: class {c} exit {e}, ranet-eval says {wc} {we}"
        assert abs(conf - wconf) <= CONF_TOL, f"image {index}: confidence {conf}, ranet-eval {wconf}"
    accuracy = accuracy_of(got)
    assert accuracy == want_accuracy, f"accuracy {accuracy}, ranet-eval says {want_accuracy}"
    print(f"unscaled 28x28 regions: accuracy {accuracy}% over {N_IMAGES} images, "
          f"every region as ranet-eval at threshold {THRESHOLD}")
    scaled = classify_regions(40, 84)
    print(f"regions scaled to 40-84 pixels: accuracy {accuracy_of(scaled)}%")


if __name__ == "__main__":
    main()
