/* gstranetclassify-session.h: what ranetclassify starts with: its model,
 * its device and the session on them, and the error messages that name the
 * file or the device when one of them cannot be had. */
#pragma once

#include <gst/gst.h>

#include "session/ranet-session.h"

G_BEGIN_DECLS

/**
 * gst_ranet_classify_open_session:
 * @element: the element, for its messages
 * @model_path: (nullable): the model property; unset or empty for the
 *   built-in model
 * @device_selector: (nullable): the device property; unset for
 *   RANET_VULKAN_DEVICE, else the automatic choice
 *
 * Loads the model, gets the device, and makes a session on them, warmed up
 * (ranet_session_warm_up()) so that a stream's first frame is planned like
 * every other.
 *
 * Returns: (transfer full) (nullable): the session; %NULL after an error
 *   message on the bus that names the model file or the device and what is
 *   wrong.
 */
RanetSession *gst_ranet_classify_open_session (GstElement *element,
    const gchar *model_path, const gchar *device_selector);

/**
 * gst_ranet_classify_model_meta_name:
 * @model_path: (nullable): the model property
 *
 * Returns: (transfer full): the metadata's model field: the file's name
 *   without its directories, or the built-in model's file name marked as such.
 */
gchar *gst_ranet_classify_model_meta_name (const gchar *model_path);

G_END_DECLS
