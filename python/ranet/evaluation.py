"""A model's exits on a set of images, as the engine runs them: the network input it makes of uint8 images, each
exit's top softmax probability and class, and the exit an early-exit policy (per-exit thresholds) sends each
image to.
"""

import numpy as np
import torch
import torch.nn.functional as F


def network_input(images, preprocess):
    """uint8 images [N, H, W] -> normalised network input [N, C, h, w] as the preprocess metadata says."""
    x = torch.from_numpy(np.array(images, dtype=np.uint8)).float().div_(255.0).unsqueeze(1)
    h, w = preprocess["input_size"]
    if tuple(x.shape[2:]) != (h, w):
        x = F.interpolate(x, size=(h, w), mode="bilinear", align_corners=False)
    c = preprocess["channels"]
    x = x.expand(-1, c, -1, -1)
    mean = torch.tensor(preprocess["mean"], dtype=torch.float32).view(1, c, 1, 1)
    std = torch.tensor(preprocess["std"], dtype=torch.float32).view(1, c, 1, 1)
    return (x - mean) / std


def exit_outputs(model, x, batch=500):
    """Per exit, the maximum softmax probability and the predicted class: two arrays [K, N]."""
    model.eval()
    conf, pred = [], []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            probs = torch.stack([torch.softmax(o, dim=1) for o in model(x[i:i + batch])])
            c, p = probs.max(dim=2)
            conf.append(c.numpy())
            pred.append(p.numpy())
    return np.concatenate(conf, axis=1), np.concatenate(pred, axis=1)


def apply_thresholds(conf, thresholds):
    """The exit each frame takes: the first k with conf[k] >= thresholds[k]."""
    passed = conf >= np.asarray(thresholds, dtype=np.float32)[:, None]
    passed[-1] = True
    return passed.argmax(axis=0)


def accuracy_at(pred, labels, exits):
    """Percent correct when frame i is answered by exit exits[i]."""
    return 100.0 * float(np.mean(pred[exits, np.arange(len(labels))] == labels))
