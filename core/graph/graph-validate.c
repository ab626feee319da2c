/* graph-validate.c: range checks of a RanetConfig before building anything.
 *
 * The builder then only has to catch what depends on several fields at once
 * (spatial sizes, channel growth); these checks keep its loops bounded.
 */
#include <math.h>

#include "graph/graph-private.h"

/* Generous bounds: far above any published RANet, low enough that loops and
 * products over them stay small. */
#define MAX_BLOCKS 4096
#define MAX_STEP 4096
#define MAX_SCALE_FACTOR 1024
#define MAX_CLASSES 1000000
#define MAX_INPUT_SIZE 16384

static gboolean
check_range (const char *field, guint value, guint min, guint max,
    GError **error)
{
  if (value >= min && value <= max)
    return TRUE;
  g_set_error (error, RANET_GRAPH_ERROR, RANET_GRAPH_ERROR_INVALID_CONFIG,
      "config field %s is %u; expected a value from %u to %u",
      field, value, min, max);
  return FALSE;
}

static gboolean
check_list (const char *field, const guint *values, guint n, guint min,
    guint max, GError **error)
{
  for (guint i = 0; i < n; i++)
    if (values[i] < min || values[i] > max) {
      g_set_error (error, RANET_GRAPH_ERROR, RANET_GRAPH_ERROR_INVALID_CONFIG,
          "config field %s[%u] is %u; expected a value from %u to %u",
          field, i, values[i], min, max);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_fraction (const char *field, double value, gboolean one_allowed,
    GError **error)
{
  if (isfinite (value) && value > 0.0 && (value < 1.0 || (one_allowed && value == 1.0)))
    return TRUE;
  g_set_error (error, RANET_GRAPH_ERROR, RANET_GRAPH_ERROR_INVALID_CONFIG,
      "config field %s is %g; expected a number above 0 and %s 1",
      field, value, one_allowed ? "at most" : "below");
  return FALSE;
}

gboolean
ranet_graph_validate_config (const RanetConfig *cfg, GError **error)
{
  guint n = cfg->n_scales;

  if (!check_range ("n_scales (length of scale_list)", n, 1, RANET_MAX_SCALES, error)
      || !check_list ("scale_list", cfg->scale_list, n, 1, MAX_SCALE_FACTOR, error)
      || !check_list ("grFactor", cfg->grFactor, n, 1, RANET_GRAPH_MAX_CHANNELS, error)
      || !check_list ("bnFactor", cfg->bnFactor, n, 1, RANET_GRAPH_MAX_CHANNELS, error)
      || !check_range ("nBlocks", cfg->nBlocks, 1, MAX_BLOCKS, error)
      || !check_range ("step", cfg->step, 1, MAX_STEP, error)
      || !check_range ("nChannels", cfg->nChannels, 1, RANET_GRAPH_MAX_CHANNELS, error)
      || !check_range ("growthRate", cfg->growthRate, 1, RANET_GRAPH_MAX_CHANNELS, error)
      || !check_range ("num_classes", cfg->num_classes, 1, MAX_CLASSES, error)
      || !check_range ("in_channels", cfg->in_channels, 1, RANET_MAX_CHANNELS, error)
      || !check_range ("input_h", cfg->input_h, 1, MAX_INPUT_SIZE, error)
      || !check_range ("input_w", cfg->input_w, 1, MAX_INPUT_SIZE, error)
      || !check_fraction ("reduction", cfg->reduction, TRUE, error)
      || !check_fraction ("compress_factor", cfg->compress_factor, FALSE, error))
    return FALSE;

  /* Scales above the first get exits only from their block_step extra blocks:
   * with none, their whole flow would be computed for nothing. */
  if (n > 1 && !check_range ("block_step", cfg->block_step, 1, MAX_BLOCKS, error))
    return FALSE;
  if ((guint64) cfg->nBlocks + (guint64) (n - 1) * cfg->block_step > MAX_BLOCKS) {
    g_set_error (error, RANET_GRAPH_ERROR, RANET_GRAPH_ERROR_TOO_LARGE,
        "config fields nBlocks (%u) and block_step (%u) give %" G_GUINT64_FORMAT
        " blocks in the highest scale; expected at most %u",
        cfg->nBlocks, cfg->block_step,
        (guint64) cfg->nBlocks + (guint64) (n - 1) * cfg->block_step, MAX_BLOCKS);
    return FALSE;
  }
  if (cfg->stepmode != RANET_STEPMODE_EVEN && cfg->stepmode != RANET_STEPMODE_LG) {
    g_set_error (error, RANET_GRAPH_ERROR, RANET_GRAPH_ERROR_INVALID_CONFIG,
        "config field stepmode is %d; expected even (%d) or lg (%d)",
        (int) cfg->stepmode, RANET_STEPMODE_EVEN, RANET_STEPMODE_LG);
    return FALSE;
  }
  if (cfg->stem != RANET_STEM_CIFAR && cfg->stem != RANET_STEM_IMAGENET) {
    g_set_error (error, RANET_GRAPH_ERROR, RANET_GRAPH_ERROR_INVALID_CONFIG,
        "config field stem is %d; expected cifar (%d) or imagenet (%d)",
        (int) cfg->stem, RANET_STEM_CIFAR, RANET_STEM_IMAGENET);
    return FALSE;
  }
  if (cfg->stem == RANET_STEM_CIFAR
      && !check_range ("head_channels", cfg->head_channels, 1,
          RANET_GRAPH_MAX_CHANNELS, error))
    return FALSE;
  return TRUE;
}
