/* region-layout.c: rejection sampling of box places. Boxes cover a few
 * percent of a frame at the defaults (24 of 28x28 in 640x480: 6%), where a
 * random place is nearly always free; the bound on tries only matters when
 * the frame is asked to hold more than it can. */
#include "region-layout.h"

/* Tries for one box before the frame counts as full: at half coverage a
 * random place is free about half the time, so 64 misses in a row mean the
 * frame is much fuller than that. */
#define TRIES_PER_BOX 64

gboolean
region_box_overlaps (const RegionBox *a, const RegionBox *b)
{
  return a->x < b->x + b->side && b->x < a->x + a->side
      && a->y < b->y + b->side && b->y < a->y + a->side;
}

static gboolean
overlaps_any (const RegionBox *box, const GArray *boxes)
{
  for (guint i = 0; i < boxes->len; i++)
    if (region_box_overlaps (box, &g_array_index (boxes, RegionBox, i)))
      return TRUE;
  return FALSE;
}

guint
region_layout_place (GRand *rand, guint width, guint height,
    guint min_side, guint max_side, guint n, GArray *boxes)
{
  g_return_val_if_fail (min_side >= 1 && min_side <= max_side, 0);
  g_return_val_if_fail (max_side <= width && max_side <= height, 0);

  for (guint placed = 0; placed < n; placed++) {
    RegionBox box = { 0, 0, 0 };
    gboolean found = FALSE;

    box.side = (guint) g_rand_int_range (rand, (gint32) min_side, (gint32) max_side + 1);
    for (guint t = 0; t < TRIES_PER_BOX && !found; t++) {
      box.x = (guint) g_rand_int_range (rand, 0, (gint32) (width - box.side) + 1);
      box.y = (guint) g_rand_int_range (rand, 0, (gint32) (height - box.side) + 1);
      found = !overlaps_any (&box, boxes);
    }
    if (!found)
      return placed;
    g_array_append_val (boxes, box);
  }
  return n;
}
