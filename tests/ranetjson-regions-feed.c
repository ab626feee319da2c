/* ranetjson-regions-feed: hand-made results through ranetjson, for
 * tests/test_ranetjson_regions.py.
 *
 *   ranetjson-regions-feed OUT.jsonl
 *
 * Pushes 320x240 RGBA frames carrying roi-list results (classified, skipped
 * and degenerate regions, one past the frame's edge, none at all) and one
 * full-frame result through `ranetjson location=OUT.jsonl`, and prints each
 * frame's metadata structure (gst_structure_to_string) on a line of its own,
 * in the order pushed: what the lines in OUT.jsonl must hold. */
#include <stdio.h>
#include <stdlib.h>

#include <gst/check/gstharness.h>

#include "roi-list-meta.h"

#define WIDTH 320
#define HEIGHT 240

static const TestRegion mixed[] = {
  { "person", 10, 20, 100, 80, FALSE, FALSE, 3, "Dress", 0.94, 1, 5, FALSE, 1000 },
  { "car", 150, 40, 60, 60, TRUE, FALSE },
  { "person", 400, 300, 16, 16, FALSE, TRUE },         /* outside the frame */
  { "face", 200, 150, 0, 30, FALSE, TRUE },            /* zero width */
  { "bag", 120, 130, 40, 50, FALSE, FALSE, 8, "Bag \"tote\"", 0.3, 4, 5, TRUE, 7777 },
};

static const TestRegion past_edge[] = {
  { "person", 300, 200, 64, 64, FALSE, FALSE, 0, "T-shirt/top", 0.5, 0, 5, FALSE, 10 },
};

static void
push (GstHarness *h, guint n, GstStructure *(*attach) (GstBuffer *, gpointer), gpointer data)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, WIDTH * HEIGHT * 4, NULL);
  g_autofree gchar *text = NULL;

  GST_BUFFER_PTS (buf) = n * GST_SECOND / 30;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
  text = gst_structure_to_string (attach (buf, data));
  puts (text);
  if (gst_harness_push (h, buf) != GST_FLOW_OK) {
    g_printerr ("ranetjson-regions-feed: ranetjson refused frame %u\n", n);
    exit (1);
  }
  gst_buffer_unref (gst_harness_pull (h));
}

static GstStructure *
attach_mixed (GstBuffer *buf, gpointer data)
{
  return test_roi_list_attach (buf, mixed, G_N_ELEMENTS (mixed));
}

static GstStructure *
attach_past_edge (GstBuffer *buf, gpointer data)
{
  return test_roi_list_attach (buf, past_edge, G_N_ELEMENTS (past_edge));
}

static GstStructure *
attach_none (GstBuffer *buf, gpointer data)
{
  return test_roi_list_attach (buf, NULL, 0);
}

static GstStructure *
attach_full_frame (GstBuffer *buf, gpointer data)
{
  return test_full_frame_attach (buf);
}

int
main (int argc, char **argv)
{
  GstHarness *h;
  g_autofree gchar *launch = NULL;
  g_autoptr (GstElementFactory) factory = NULL;

  gst_init (&argc, &argv);
  if (argc != 2) {
    g_printerr ("usage: ranetjson-regions-feed OUT.jsonl\n");
    return 2;
  }
  factory = gst_element_factory_find ("ranetjson");
  if (factory == NULL) {
    g_printerr ("ranetjson-regions-feed: ranetjson is not in GST_PLUGIN_PATH\n");
    return 1;
  }
  /* the location set before the harness starts the element, which opens it;
   * loading the plugin registers the metadata */
  launch = g_strdup_printf ("ranetjson location=\"%s\"", argv[1]);
  h = gst_harness_new_parse (launch);
  gst_harness_set_src_caps_str (h, "video/x-raw,format=RGBA,width=320,height=240,framerate=30/1");
  push (h, 0, attach_mixed, NULL);
  push (h, 1, attach_full_frame, NULL);
  push (h, 2, attach_none, NULL);
  push (h, 3, attach_past_edge, NULL);
  push (h, 4, attach_mixed, NULL);
  gst_harness_teardown (h);
  gst_deinit ();
  return 0;
}
