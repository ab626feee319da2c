/* ranet-latency.h: an element's latency added to a latency query's answer. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * ranet_latency_query_add:
 * @query: a latency query upstream has answered
 * @ours: the latency the element adds, short of GST_CLOCK_TIME_NONE
 *
 * Adds @ours to the query's minimum and maximum, saturating short of
 * GST_CLOCK_TIME_NONE (which means no latency); a maximum of none stays none
 * (unlimited).
 */
void ranet_latency_query_add (GstQuery *query, GstClockTime ours);

G_END_DECLS
