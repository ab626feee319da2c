"""Gst from PyGObject for the Python tests, or the test's exit as skipped.

`from gst_or_skip import Gst` at the top of a test: where PyGObject with
Gst 1.0 is missing the test exits 77, which meson counts as skipped (the
tests find this module beside them: Python puts a script's own folder on
its search path).
"""
import sys

SKIP = 77

try:
    import gi

    gi.require_version("Gst", "1.0")
    from gi.repository import Gst  # noqa: F401  (what importers take)
except (ImportError, ValueError) as e:
    print(f"skipped: PyGObject with Gst 1.0 is not available ({e})")
    sys.exit(SKIP)
