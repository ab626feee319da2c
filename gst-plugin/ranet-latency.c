/* ranet-latency.c: an element's latency added to a latency query's answer. */
#include "ranet-latency.h"

/* @a + @b as a latency: short of GST_CLOCK_TIME_NONE however large. */
static GstClockTime
add_latency (GstClockTime a, GstClockTime b)
{
  return a >= GST_CLOCK_TIME_NONE - 1 - b ? GST_CLOCK_TIME_NONE - 1 : a + b;
}

void
ranet_latency_query_add (GstQuery *query, GstClockTime ours)
{
  GstClockTime min, max;
  gboolean live;

  gst_query_parse_latency (query, &live, &min, &max);
  if (GST_CLOCK_TIME_IS_VALID (min))
    min = add_latency (min, ours);
  /* none stays none: unlimited */
  if (GST_CLOCK_TIME_IS_VALID (max))
    max = add_latency (max, ours);
  gst_query_set_latency (query, live, min, max);
}
