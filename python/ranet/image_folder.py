"""Labelled images from a folder: one subfolder per class, PNG or JPEG files of any size, grey or colour.

Class names are the subfolder names in sorted order, so class id k is the k-th name. Every image is read
with PIL, made grey (ITU-R 601 luma, as PIL's "L") or RGB, and stretched to the network input size with a
bilinear filter, as the engine stretches frames. The result is one uint8 array [N, C, H, W] held in memory.

Input size and channels can be inferred: the size is the median height and width of the images, each
rounded to a multiple of 4 (the default network halves the input twice before its heads), and the images
are grey (one channel) when every pixel of every image has R = G = B, else colour (three).
"""

import os

import numpy as np

EXTENSIONS = (".png", ".jpg", ".jpeg")
SIZE_MULTIPLE = 4


class FolderError(ValueError):
    """A folder that cannot be read as labelled images."""


def scan(root):
    """(class names, [(path, class id)]) of the images under root; raises FolderError when there are none."""
    if not os.path.isdir(root):
        raise FolderError("%s: not a folder" % root)
    classes = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    if len(classes) < 2:
        raise FolderError("%s: needs one subfolder per class, at least two (found %d)" % (root, len(classes)))
    items = []
    for k, name in enumerate(classes):
        files = sorted(f for f in os.listdir(os.path.join(root, name)) if f.lower().endswith(EXTENSIONS))
        if not files:
            raise FolderError("%s: class folder %r holds no PNG or JPEG file" % (root, name))
        items += [(os.path.join(root, name, f), k) for f in files]
    return classes, items


def _open_rgb(path):
    from PIL import Image
    try:
        with Image.open(path) as im:
            return im.convert("RGB")
    except (OSError, ValueError) as e:
        raise FolderError("%s: not a readable image (%s)" % (path, e)) from None


def infer_input(items):
    """(input size [H, W], channels) that fit the images, as the module's description says."""
    heights, widths, colour = [], [], False
    for path, _ in items:
        im = _open_rgb(path)
        widths.append(im.width)
        heights.append(im.height)
        if not colour:
            a = np.asarray(im)
            colour = bool((a[..., 0] != a[..., 1]).any() or (a[..., 1] != a[..., 2]).any())

    def rounded(values):
        return max(SIZE_MULTIPLE, int(round(float(np.median(values)) / SIZE_MULTIPLE)) * SIZE_MULTIPLE)

    return [rounded(heights), rounded(widths)], 3 if colour else 1


def load_images(items, input_size, channels):
    """uint8 [N, channels, H, W] of the images stretched to input_size, and int64 labels [N]."""
    from PIL import Image
    h, w = input_size
    out = np.empty((len(items), channels, h, w), dtype=np.uint8)
    for i, (path, _) in enumerate(items):
        im = _open_rgb(path)
        if channels == 1:
            im = im.convert("L")
        if im.size != (w, h):
            im = im.resize((w, h), Image.BILINEAR)
        a = np.asarray(im)
        out[i] = a[None] if channels == 1 else a.transpose(2, 0, 1)
    return out, np.array([k for _, k in items], dtype=np.int64)


def split(labels, val_fraction, seed):
    """(train indices, validation indices): per class, a seeded random val_fraction of its images (at least one
    where the class has two or more) is held out for validation."""
    rng = np.random.RandomState(seed)
    train, val = [], []
    for k in np.unique(labels):
        idx = np.flatnonzero(labels == k)
        idx = idx[rng.permutation(len(idx))]
        n_val = int(round(val_fraction * len(idx)))
        if val_fraction > 0 and len(idx) >= 2:
            n_val = min(max(n_val, 1), len(idx) - 1)
        val.append(idx[:n_val])
        train.append(idx[n_val:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(val))


def mean_std(images):
    """Per-channel mean and standard deviation of uint8 images [N, C, H, W], pixels scaled to [0, 1]."""
    x = images.astype(np.float64) / 255.0
    mean = x.mean(axis=(0, 2, 3))
    std = x.std(axis=(0, 2, 3))
    return [round(float(m), 4) for m in mean], [round(max(float(s), 1e-3), 4) for s in std]


def to_tensor(images, mean, std):
    """uint8 [N, C, H, W] -> the normalised float network input, (x / 255 - mean) / std per channel."""
    import torch
    c = images.shape[1]
    x = torch.from_numpy(np.ascontiguousarray(images)).float().div_(255.0)
    return (x - torch.tensor(mean).view(1, c, 1, 1)) / torch.tensor(std).view(1, c, 1, 1)


def load_for_model(root, labels, preprocess):
    """A folder's images as a model file's preprocess wants them, with class ids in the model's label order
    (matched by name: every subfolder must name one of the labels). -> (network input, int64 labels)."""
    classes, items = scan(root)
    unknown = [c for c in classes if c not in labels]
    if unknown:
        raise FolderError("%s: class folders %s are not among the model's labels %s" % (root, unknown, labels))
    items = [(path, labels.index(classes[k])) for path, k in items]
    images, y = load_images(items, preprocess["input_size"], preprocess["channels"])
    return to_tensor(images, preprocess["mean"], preprocess["std"]), y


def summary(classes, labels, train_idx, val_idx):
    """The data summary of a model card: images per class in each split."""
    return {"classes": {name: {"train": int((labels[train_idx] == k).sum()), "val": int((labels[val_idx] == k).sum())}
                        for k, name in enumerate(classes)},
            "train_images": int(len(train_idx)), "val_images": int(len(val_idx))}
