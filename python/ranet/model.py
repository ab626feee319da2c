"""RANet (Yang et al., "Resolution Adaptive Networks for Efficient Inference", CVPR 2020) in PyTorch.

The module tree, and therefore every `state_dict` name, follows the authors' reference implementation
(RANet-pytorch, models/RANet.py), so checkpoints trained with that code load here unchanged. The
hyper-parameters keep the reference's names; `stem` replaces the reference's `data` switch, and
`in_channels`, `num_classes` and `head_channels` generalise constants the reference hard-codes
(3 input channels, 10/100/1000 classes, 128-channel CIFAR heads).

Scales are indexed 0..S-1 from the lowest resolution (the reference's "scale 1") upwards. Scale flow i
has nBlocks + i*block_step blocks; its first (i-1)*block_step + nBlocks blocks fuse the features of the
flow below ("up" blocks), the rest are plain dense blocks, each followed by an exit classifier.
"""

import copy
import dataclasses
import json
import math
from typing import List

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclasses.dataclass
class RANetConfig:
    scale_list: List[int] = dataclasses.field(default_factory=lambda: [1, 2, 3])
    grFactor: List[int] = dataclasses.field(default_factory=lambda: [4, 2, 1])
    bnFactor: List[int] = dataclasses.field(default_factory=lambda: [4, 2, 1])
    nBlocks: int = 2
    block_step: int = 2
    step: int = 4
    stepmode: str = "even"
    nChannels: int = 16
    growthRate: int = 6
    reduction: float = 0.5
    compress_factor: float = 0.25
    bnAfter: bool = True
    stem: str = "cifar"
    num_classes: int = 10
    in_channels: int = 3
    head_channels: int = 128

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, d):
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError("unknown RANet config keys: %s" % sorted(unknown))
        return cls(**d)

    @property
    def nScales(self) -> int:
        return len(self.scale_list)


def _lower(n: float) -> int:
    return int(math.floor(n))


class ConvBasic(nn.Module):
    """Convolution + BatchNorm + ReLU."""

    def __init__(self, nIn, nOut, kernel=3, stride=1, padding=1):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(nIn, nOut, kernel, stride, padding, bias=False),
            nn.BatchNorm2d(nOut),
            nn.ReLU(True))

    def forward(self, x):
        return self.net(x)


class ConvBN(nn.Module):
    """Bottleneck: 1x1 convolution to at most bnWidth*nOut channels, then a 3x3 (stride 2 for 'down').

    bnAfter=True: conv-BN-ReLU twice. bnAfter=False: pre-activation order BN-ReLU-conv twice, so the
    output is the raw 3x3 convolution. (The reference always builds bnAfter=True layers: its blocks pass
    True in that position whatever the command line says.)
    """

    def __init__(self, nIn, nOut, kind, bnAfter, bnWidth):
        super().__init__()
        if kind not in ("normal", "down"):
            raise ValueError(kind)
        nInner = min(nIn, bnWidth * nOut)
        stride = 2 if kind == "down" else 1
        if bnAfter:
            layers = [nn.Conv2d(nIn, nInner, 1, 1, 0, bias=False), nn.BatchNorm2d(nInner), nn.ReLU(True),
                      nn.Conv2d(nInner, nOut, 3, stride, 1, bias=False), nn.BatchNorm2d(nOut), nn.ReLU(True)]
        else:
            layers = [nn.BatchNorm2d(nIn), nn.ReLU(True), nn.Conv2d(nIn, nInner, 1, 1, 0, bias=False),
                      nn.BatchNorm2d(nInner), nn.ReLU(True), nn.Conv2d(nInner, nOut, 3, stride, 1, bias=False)]
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


def _resize(x, h, w):
    return F.interpolate(x, size=(h, w), mode="bilinear", align_corners=True)


class ConvUpNormal(nn.Module):
    """Dense layer of a fusion block: [own input resized, upsampled low-res features, new features]."""

    def __init__(self, nIn1, nIn2, nOut, bnAfter, bnWidth1, bnWidth2, compress_factor, down_sample):
        super().__init__()
        n_up = _lower(nOut * compress_factor)
        self.conv_up = ConvBN(nIn2, n_up, "normal", bnAfter, bnWidth2)
        self.conv_normal = ConvBN(nIn1, nOut - n_up, "down" if down_sample else "normal", bnAfter, bnWidth1)

    def forward(self, x):
        low, cur = x
        res = self.conv_normal(cur)
        h, w = res.shape[2:]
        return torch.cat([_resize(cur, h, w), _resize(self.conv_up(low), h, w), res], dim=1)


class ConvNormal(nn.Module):
    def __init__(self, nIn, nOut, bnAfter, bnWidth):
        super().__init__()
        self.conv_normal = ConvBN(nIn, nOut, "normal", bnAfter, bnWidth)

    def forward(self, x):
        return torch.cat([x, self.conv_normal(x)], dim=1)


class _BlockNormal(nn.Module):
    def __init__(self, num_layers, nIn, growth_rate, reduction_rate, trans, bnFactor, bnAfter):
        super().__init__()
        self.num_layers = num_layers
        self.layers = nn.ModuleList(
            ConvNormal(nIn + i * growth_rate, growth_rate, bnAfter, bnFactor) for i in range(num_layers))
        nOut = nIn + num_layers * growth_rate
        self.trans_flag = trans
        if trans:
            self.trans = ConvBasic(nOut, _lower(reduction_rate * nOut), kernel=1, stride=1, padding=0)

    def forward(self, x):
        outputs = [x]
        for layer in self.layers:
            x = layer(x)
            outputs.append(x)
        if self.trans_flag:
            x = self.trans(x)
        return x, outputs

    def _blockType(self):
        return "norm"


class _BlockUpNormal(nn.Module):
    def __init__(self, num_layers, nIn, nIn_lowFtrs, growth_rate, reduction_rate, trans, down,
                 compress_factor, bnFactor1, bnFactor2, bnAfter):
        super().__init__()
        self.num_layers = num_layers
        self.layers = nn.ModuleList()
        for i in range(num_layers):
            last = i == num_layers - 1
            self.layers.append(ConvUpNormal(nIn + i * growth_rate, nIn_lowFtrs[i], growth_rate, bnAfter,
                                            bnFactor1, bnFactor2, compress_factor, down and last))
        nOut = nIn + num_layers * growth_rate
        self.conv_last = ConvBasic(nIn_lowFtrs[num_layers], _lower(nOut * compress_factor),
                                   kernel=1, stride=1, padding=0)
        nOut = nOut + _lower(nOut * compress_factor)
        self.trans_flag = trans
        if trans:
            self.trans = ConvBasic(nOut, _lower(reduction_rate * nOut), kernel=1, stride=1, padding=0)

    def forward(self, x, low_feat):
        outputs = [x]
        for i, layer in enumerate(self.layers):
            x = layer([low_feat[i], x])
            outputs.append(x)
        h, w = x.shape[2:]
        x = torch.cat([x, _resize(self.conv_last(low_feat[self.num_layers]), h, w)], dim=1)
        if self.trans_flag:
            x = self.trans(x)
        return x, outputs

    def _blockType(self):
        return "up"


class RAFirstLayer(nn.Module):
    """Base features of every scale, computed from the highest resolution downwards."""

    def __init__(self, nIn, nOut, cfg: RANetConfig):
        super().__init__()
        gr = cfg.grFactor[::-1]
        scales = cfg.scale_list[::-1]
        self.layers = nn.ModuleList()
        if cfg.stem == "cifar":
            self.layers.append(ConvBasic(nIn, nOut * gr[0], kernel=3, stride=1, padding=1))
        elif cfg.stem == "imagenet":
            self.layers.append(nn.Sequential(
                nn.Conv2d(nIn, nOut * gr[0], 7, 2, 3),
                nn.BatchNorm2d(nOut * gr[0]),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(3, 2, 1)))
        else:
            raise ValueError("stem must be 'cifar' or 'imagenet', not %r" % cfg.stem)
        nIn = nOut * gr[0]
        s = scales[0]
        for i in range(1, cfg.nScales):
            stride = 1 if scales[i] == s else 2
            s = scales[i]
            self.layers.append(ConvBasic(nIn, nOut * gr[i], kernel=3, stride=stride, padding=1))
            nIn = nOut * gr[i]

    def forward(self, x):
        res = []
        for layer in self.layers:
            x = layer(x)
            res.append(x)
        return res[::-1]


class ClassifierModule(nn.Module):
    def __init__(self, m, channel, num_classes):
        super().__init__()
        self.m = m
        self.linear = nn.Linear(channel, num_classes)

    def forward(self, x):
        return self.linear(self.m(x).flatten(1))


def block_plan(cfg: RANetConfig):
    """Per scale, per block: (kind, layers, trans, down). Shared with export and documentation."""
    nBlocks = [0] + [cfg.block_step * i + cfg.nBlocks for i in range(cfg.nScales)]
    steps = [cfg.step]
    plan = []
    for ii in range(cfg.nScales):
        flow = []
        for n in range(1, nBlocks[ii + 1] + 1):
            trans = any(n == _lower((i + 1) * nBlocks[ii + 1] / cfg.scale_list[ii])
                        for i in range(cfg.scale_list[ii] - 1))
            if n > nBlocks[ii]:
                flow.append(("norm", steps[n - 1], trans, False))
                if cfg.stepmode == "even":
                    steps.append(cfg.step)
                elif cfg.stepmode == "lg":
                    steps.append(steps[-1] + cfg.step)
                else:
                    raise ValueError("stepmode must be 'even' or 'lg', not %r" % cfg.stepmode)
            else:
                # Same slice as the reference, including its behaviour when the slice start is -0.
                down_at = nBlocks[:ii + 1][-(cfg.scale_list[ii] - 1):]
                flow.append(("up", steps[n - 1], trans, n in down_at))
        plan.append(flow)
    return nBlocks, plan


class RANet(nn.Module):
    def __init__(self, cfg: RANetConfig):
        super().__init__()
        self.cfg = copy.deepcopy(cfg)
        self.scale_flows = nn.ModuleList()
        self.classifier = nn.ModuleList()
        self.nScales = cfg.nScales
        self.nBlocks, plan = block_plan(cfg)
        self.FirstLayer = RAFirstLayer(cfg.in_channels, cfg.nChannels, cfg)

        nIn_lowFtrs = None
        for ii in range(cfg.nScales):
            flow = nn.ModuleList()
            nIn = cfg.nChannels * cfg.grFactor[ii]
            growth = cfg.growthRate * cfg.grFactor[ii]
            lows = []
            for i, (kind, layers, trans, down) in enumerate(plan[ii]):
                nOuts = [nIn + j * growth for j in range(layers + 1)]
                if kind == "norm":
                    m = _BlockNormal(layers, nIn, growth, cfg.reduction, trans, cfg.bnFactor[ii], cfg.bnAfter)
                    nOut = nOuts[-1]
                else:
                    m = _BlockUpNormal(layers, nIn, nIn_lowFtrs[i], growth, cfg.reduction, trans, down,
                                       cfg.compress_factor, cfg.bnFactor[ii], cfg.bnFactor[ii - 1], cfg.bnAfter)
                    nOut = nOuts[-1] + _lower(nOuts[-1] * cfg.compress_factor)
                if trans:
                    nOut = _lower(cfg.reduction * nOut)
                flow.append(m)
                nIn = nOut
                if kind == "norm":
                    self.classifier.append(self._build_classifier(nIn))
                lows.append(nOuts)
            nIn_lowFtrs = lows
            self.scale_flows.append(flow)
        self.num_exits = len(self.classifier)
        for m in list(self.scale_flows.modules()) + list(self.classifier.modules()):
            self._init_weights(m)

    def _build_classifier(self, nIn):
        cfg = self.cfg
        if cfg.stem == "cifar":
            c = cfg.head_channels
            conv = nn.Sequential(ConvBasic(nIn, c, kernel=3, stride=2, padding=1),
                                 ConvBasic(c, c, kernel=3, stride=2, padding=1),
                                 nn.AvgPool2d(2))
            return ClassifierModule(conv, c, cfg.num_classes)
        conv = nn.Sequential(ConvBasic(nIn, nIn, kernel=3, stride=2, padding=1),
                             ConvBasic(nIn, nIn, kernel=3, stride=2, padding=1),
                             nn.AvgPool2d(2))
        return ClassifierModule(conv, nIn, cfg.num_classes)

    @staticmethod
    def _init_weights(m):
        if isinstance(m, nn.Conv2d):
            n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
            m.weight.data.normal_(0, math.sqrt(2.0 / n))
        elif isinstance(m, nn.BatchNorm2d):
            m.weight.data.fill_(1)
            m.bias.data.zero_()
        elif isinstance(m, nn.Linear):
            m.bias.data.zero_()

    def forward(self, x):
        inp = self.FirstLayer(x)
        res, low_ftrs = [], []
        k = 0
        for ii in range(self.nScales):
            h = inp[ii]
            lows = []
            for i, block in enumerate(self.scale_flows[ii]):
                if block._blockType() == "norm":
                    h, low = block(h)
                else:
                    h, low = block(h, low_ftrs[i])
                lows.append(low)
                if i + 1 > self.nBlocks[ii]:
                    res.append(self.classifier[k](h))
                    k += 1
            low_ftrs = lows
        return res


def exit_macs(model: RANet, input_size):
    """Cumulative multiply-adds of convolutions and linear layers to reach each exit (for one image)."""
    counts = []
    total = [0]

    def conv_hook(m, inp, out):
        total[0] += out.numel() // out.shape[0] * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    def linear_hook(m, inp, out):
        total[0] += m.in_features * m.out_features

    hooks = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))

    def exit_hook(m, inp, out):
        counts.append(total[0])

    for c in model.classifier:
        hooks.append(c.register_forward_hook(exit_hook))
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, model.cfg.in_channels, *input_size))
    for h in hooks:
        h.remove()
    return counts
