"""RANet in PyTorch, and the model files the C engine reads.

    model           the network (RANet, RANetConfig), module for module the authors' reference code, so its
                    state_dict names are the reference's; multiply-adds per exit
    safetensors_io  .safetensors files, read and written with numpy alone
    model_file      model files: validate and write a RANet with its ranet.* metadata (export), read one back
                    into PyTorch (load)
    fmnist          Fashion-MNIST from Debian's IDX files: the splits and the default normalisation
    evaluation      a model's exits on images as the engine runs them, and where a threshold policy sends each
    calibration     operating points: per-exit thresholds for the frame-rate policy

The scripts that use the package stand beside it in python/ and run by their path from a source tree, nothing
installed (/usr/bin/python3 python/evaluate.py ...): Python puts a script's own directory first on sys.path,
so `import ranet` finds this package. The tests in python/tests/ get python/ from PYTHONPATH
(python/meson.build). Nothing is imported here, so a script that needs only safetensors_io needs no torch.
"""
