#!/usr/bin/env python3
"""ranetclassify's Vulkan device choice as a pipeline's user sees it: RANET_VULKAN_DEVICE when the device
property is unset, the property before it, and start-up errors that say which of the two chose.

Exits 77 (skipped) where PyGObject with Gst 1.0 is missing; a missing ranetclassify is a failure.
"""
import os
import unittest

from gst_or_skip import Gst

VARIABLE = "RANET_VULKAN_DEVICE"


def play(properties):
    """Plays two frames through ranetclassify with these properties; returns the error message's text and
    debug string, or None at the end of the stream."""
    pipeline = Gst.parse_launch("videotestsrc num-buffers=2 ! ranetclassify %s ! fakesink" % properties)
    try:
        pipeline.set_state(Gst.State.PLAYING)
        msg = pipeline.get_bus().timed_pop_filtered(120 * Gst.SECOND,
                                                    Gst.MessageType.ERROR | Gst.MessageType.EOS)
        assert msg is not None, "the pipeline stalled"
        if msg.type == Gst.MessageType.EOS:
            return None
        err, debug = msg.parse_error()
        return err.message, debug
    finally:
        pipeline.set_state(Gst.State.NULL)


class DeviceEnvTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        Gst.init(None)
        if Gst.ElementFactory.find("ranetclassify") is None:
            raise AssertionError("ranetclassify is not in GST_PLUGIN_PATH (%s)"
                                 % os.environ.get("GST_PLUGIN_PATH", "unset"))

    def tearDown(self):
        os.environ.pop(VARIABLE, None)

    def test_variable_named_when_it_chose(self):
        os.environ[VARIABLE] = "no-such-device-xyz"
        error = play("")
        self.assertIsNotNone(error, "started without a device")
        self.assertIn('%s="no-such-device-xyz"' % VARIABLE, error[0])
        self.assertIn(VARIABLE, error[1])

    def test_property_before_variable(self):
        os.environ[VARIABLE] = "no-such-device-xyz"
        self.assertIsNone(play("device=0"))

    def test_property_named_when_it_chose(self):
        error = play("device=no-such-device-abc")
        self.assertIsNotNone(error, "started without a device")
        self.assertIn('"no-such-device-abc"', error[0])
        self.assertNotIn(VARIABLE, error[0])
        self.assertIn("the device property", error[1])


if __name__ == "__main__":
    unittest.main(verbosity=2)
