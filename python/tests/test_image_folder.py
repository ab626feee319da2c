#!/usr/bin/python3
"""ranet.image_folder: class names from subfolders, inferred input size and channels, the seeded per-class
split, statistics, and folders that cannot be read.

    PYTHONPATH=python /usr/bin/python3 python/tests/test_image_folder.py

Exits 77 (skipped) without PIL.
"""

import os
import sys
import tempfile
import unittest

import numpy as np

try:
    from PIL import Image
except ImportError:
    print("skipped: PIL (python3-pil) is not available")
    sys.exit(77)

from ranet import image_folder  # noqa: E402


def write(path, array):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(array).save(path)


class ImageFolderTest(unittest.TestCase):
    def setUp(self):
        self.tmp = self.enterContext(tempfile.TemporaryDirectory())
        self.rng = np.random.RandomState(0)

    def grey(self, h, w):
        return self.rng.randint(0, 256, (h, w), dtype=np.uint8)

    def test_classes_sorted_and_other_files_ignored(self):
        for name in ("zebra", "ant", "Moth"):
            write(os.path.join(self.tmp, name, "a.png"), self.grey(8, 8))
        write(os.path.join(self.tmp, "ant", "b.JPG"), np.stack([self.grey(8, 8)] * 3, axis=2))
        with open(os.path.join(self.tmp, "ant", "notes.txt"), "w") as f:
            f.write("not an image")
        classes, items = image_folder.scan(self.tmp)
        self.assertEqual(classes, ["Moth", "ant", "zebra"])
        self.assertEqual([(os.path.basename(p), k) for p, k in items], [("a.png", 0), ("a.png", 1), ("b.JPG", 1),
                                                                        ("a.png", 2)])

    def test_grey_size_inferred_from_the_median(self):
        for i, (h, w) in enumerate([(30, 41), (27, 40), (100, 10)]):
            write(os.path.join(self.tmp, "c%d" % (i % 2), "%d.png" % i), self.grey(h, w))
        # a colour file whose channels are equal is grey too
        write(os.path.join(self.tmp, "c1", "rgb.png"), np.stack([self.grey(29, 39)] * 3, axis=2))
        _, items = image_folder.scan(self.tmp)
        self.assertEqual(image_folder.infer_input(items), ([28, 40], 1))

    def test_colour_inferred_and_loaded_as_rgb(self):
        colour = self.rng.randint(0, 256, (12, 16, 3), dtype=np.uint8)
        write(os.path.join(self.tmp, "a", "0.png"), colour)
        write(os.path.join(self.tmp, "b", "0.png"), self.grey(12, 16))
        _, items = image_folder.scan(self.tmp)
        self.assertEqual(image_folder.infer_input(items), ([12, 16], 3))
        images, labels = image_folder.load_images(items, [12, 16], 3)
        self.assertEqual(images.shape, (2, 3, 12, 16))
        np.testing.assert_array_equal(images[0], colour.transpose(2, 0, 1))
        self.assertEqual(labels.tolist(), [0, 1])
        stretched, _ = image_folder.load_images(items, [6, 8], 1)
        self.assertEqual(stretched.shape, (2, 1, 6, 8))

    def test_split_is_per_class_seeded_and_disjoint(self):
        labels = np.array([0] * 20 + [1] * 3 + [2] * 2)
        train, val = image_folder.split(labels, 0.2, seed=5)
        self.assertEqual(sorted(np.concatenate([train, val]).tolist()), list(range(25)))
        self.assertEqual([int((labels[val] == k).sum()) for k in range(3)], [4, 1, 1])
        again, _ = image_folder.split(labels, 0.2, seed=5)
        other, _ = image_folder.split(labels, 0.2, seed=6)
        np.testing.assert_array_equal(train, again)
        self.assertFalse(np.array_equal(train, other))

    def test_mean_std_per_channel(self):
        images = np.zeros((2, 3, 2, 2), dtype=np.uint8)
        images[:, 1] = 255
        images[0, 2], images[1, 2] = 0, 255
        mean, std = image_folder.mean_std(images)
        self.assertEqual(mean, [0.0, 1.0, 0.5])
        self.assertEqual(std, [0.001, 0.001, 0.5])  # a constant channel gets the smallest std, not zero

    def test_unusable_folders(self):
        with self.assertRaisesRegex(image_folder.FolderError, "at least two"):
            image_folder.scan(self.tmp)
        os.makedirs(os.path.join(self.tmp, "empty"))
        write(os.path.join(self.tmp, "full", "0.png"), self.grey(4, 4))
        with self.assertRaisesRegex(image_folder.FolderError, "'empty' holds no PNG"):
            image_folder.scan(self.tmp)
        with open(os.path.join(self.tmp, "empty", "broken.png"), "wb") as f:
            f.write(b"\x89PNG broken")
        _, items = image_folder.scan(self.tmp)
        with self.assertRaisesRegex(image_folder.FolderError, "broken.png: not a readable image"):
            image_folder.load_images(items, [4, 4], 1)

    def test_model_labels_map_folders_by_name(self):
        write(os.path.join(self.tmp, "b", "0.png"), self.grey(4, 4))
        write(os.path.join(self.tmp, "a", "0.png"), self.grey(4, 4))
        pre = {"input_size": [4, 4], "channels": 1, "mean": [0.5], "std": [0.25]}
        x, y = image_folder.load_for_model(self.tmp, ["b", "c", "a"], pre)
        self.assertEqual(y.tolist(), [2, 0])
        self.assertEqual(tuple(x.shape), (2, 1, 4, 4))
        with self.assertRaisesRegex(image_folder.FolderError, r"\['b'\] are not among"):
            image_folder.load_for_model(self.tmp, ["a", "c"], pre)


if __name__ == "__main__":
    unittest.main()
