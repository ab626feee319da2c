"""A tiny folder of labelled images for the tests: a few Fashion-MNIST classes written as PNG files, one
subfolder per class named after it (names with spaces, so that labels are taken as they are)."""

import os

import numpy as np

from ranet import fmnist

CLASSES = {1: "trouser", 5: "sandal", 7: "sneaker", 8: "hand bag"}  # Fashion-MNIST class id -> folder name


def available():
    return os.path.exists(os.path.join(fmnist.DATA_DIR, "t10k-images-idx3-ubyte.gz")) or \
        os.path.exists(os.path.join(fmnist.DATA_DIR, "t10k-images-idx3-ubyte"))


def write_folder(root, per_class=40, offset=0):
    """Writes root/<class>/<n>.png from the test set's images (the per_class after `offset` of each class);
    returns the images as uint8 [N, 28, 28] and their class ids in sorted folder order, in the order
    image_folder.scan lists them."""
    from PIL import Image
    images, labels = fmnist.load("t10k")
    names = sorted(CLASSES.values())
    out_images, out_labels = [], []
    for fm_id, name in CLASSES.items():
        os.makedirs(os.path.join(root, name), exist_ok=True)
        picked = np.flatnonzero(labels == fm_id)[offset:offset + per_class]
        for n, i in enumerate(picked):
            Image.fromarray(images[i]).save(os.path.join(root, name, "%03d.png" % n))
    for k, name in enumerate(names):
        fm_id = [i for i, v in CLASSES.items() if v == name][0]
        picked = np.flatnonzero(labels == fm_id)[offset:offset + per_class]
        out_images.append(images[picked])
        out_labels += [k] * len(picked)
    return np.concatenate(out_images), np.array(out_labels, dtype=np.int64)
