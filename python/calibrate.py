#!/usr/bin/python3
"""Calibrate a Fashion-MNIST RANet's early exits: per-exit accuracies and the operating points of the
budgeted-batch scheme, printed as a table and written as the JSON that export_model.py --calibration takes.

    /usr/bin/python3 python/calibrate.py --weights /var/tmp/ranet-train/final.pt \\
        --config /var/tmp/ranet-train/train_info.json --out calibration.json
"""

import argparse
import json

import torch

from ranet import calibration
from ranet.calibration import calibrate, format_table
from ranet.model import RANetConfig
from ranet.model_file import build_model, unwrap_checkpoint


def main():
    # the method, after the options: ranet.calibration's own description
    ap = argparse.ArgumentParser(description=__doc__, epilog=calibration.__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True,
                    help="torch checkpoint: a state_dict, or a dict holding one under 'state_dict' or 'model'")
    ap.add_argument("--config", required=True,
                    help="JSON with the RANetConfig, bare or under 'config' (train.py's train_info.json)")
    ap.add_argument("--seed", type=int, default=None,
                    help="seed of the train/validation split (default: 'seed' in the config file, else 0)")
    ap.add_argument("--out", help="write the result (calibration and per-exit accuracies) as JSON here")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    with open(args.config) as f:
        conf = json.load(f)
    cfg = RANetConfig.from_dict(conf.get("config", conf))
    seed = args.seed if args.seed is not None else conf.get("seed", 0)
    model = build_model(cfg, unwrap_checkpoint(torch.load(args.weights, map_location="cpu")))
    result = calibrate(model, seed)
    print(format_table(result))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
