/* ranet-opbench: how fast each convolution kernel runs on typical layer
 * shapes, one op at a time.
 *
 * Every shape runs through the op's check (ranet_op_check_layer(): random input
 * and weights, compared with the scalar C reference), so a figure is only
 * printed for a result that is right. The time is the device's timestamp
 * around the one dispatch, the best of --runs. The shapes are those that
 * dominate the default model and the ImageNet-style model (ranet-bench
 * --layers lists them). RANET_TEXEL_BUFFERS=0 and RANET_SUBGROUP_SHUFFLE=0 in the
 * environment select the other shader variants, for comparisons.
 */
#include "vk/ranet-vk.h"
#include "testing/ranet-op-check.h"

#include <stdlib.h>

typedef struct {
  const char *what;
  guint in_c, out_c, h, w, k, stride;
} Shape;

static const Shape shapes[] = {
  { "ImageNet dense layer", 64, 16, 56, 56, 3, 1 },
  { "ImageNet dense layer", 48, 24, 28, 28, 3, 1 },
  { "ImageNet dense layer", 128, 32, 14, 14, 3, 1 },
  { "ImageNet downsampling", 128, 64, 56, 56, 3, 2 },
  { "ImageNet downsampling", 256, 128, 14, 14, 3, 2 },
  { "ImageNet classifier", 1192, 1192, 7, 7, 3, 2 },
  { "ImageNet classifier", 1192, 1192, 4, 4, 3, 2 },
  { "default model classifier", 128, 64, 7, 7, 3, 2 },
  { "default model classifier", 64, 64, 4, 4, 3, 2 },
  { "ImageNet bottleneck", 256, 64, 28, 28, 1, 1 },
  { "default model bottleneck", 96, 96, 7, 7, 1, 1 },
  { "default model bottleneck", 24, 6, 28, 28, 1, 1 },
  { "default model stem", 1, 16, 28, 28, 3, 1 },
  { "default model downsampling", 16, 32, 28, 28, 3, 2 },
  { "default model dense layer", 32, 16, 7, 7, 3, 1 },
  { "default model bottleneck", 16, 6, 28, 28, 1, 1 },
  { "default model bottleneck", 32, 24, 14, 14, 1, 1 },
};

static RanetTensorView
whole (guint c, guint h, guint w)
{
  return (RanetTensorView) { c, h, w, 0, c, 0 };
}

/* Runs @s once; its device time in @ns. */
static gboolean
run_shape (RanetVkDevice *dev, const Shape *s, guint64 *ns, GError **error)
{
  guint pad = s->k / 2;
  guint oh = (s->h + 2 * pad - s->k) / s->stride + 1;
  guint ow = (s->w + 2 * pad - s->k) / s->stride + 1;
  RanetOpCheckShape shape = { 0 };
  RanetOpCheck check;

  if (s->k == 1) {
    shape.layer.kind = RANET_LAYER_CONV1X1;
    shape.layer.p.conv1x1 = (RanetConv1x1Params) {
      .in = whole (s->in_c, s->h, s->w), .out = whole (s->out_c, oh, ow),
      .pre_act = TRUE, .relu = TRUE,
    };
  } else {
    shape.layer.kind = RANET_LAYER_CONV2D;
    shape.layer.p.conv2d = (RanetConv2dParams) {
      .in = whole (s->in_c, s->h, s->w), .out = whole (s->out_c, oh, ow),
      .kh = s->k, .kw = s->k, .stride = s->stride, .pad_h = pad, .pad_w = pad, .relu = TRUE,
    };
  }
  if (!ranet_op_check_layer (dev, &shape, 1, &check, error))
    return FALSE;
  if (!ranet_op_check_passed (&check)) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_FAILED,
        "wrong result (%.1f times the tolerance)", check.max_err_ratio);
    return FALSE;
  }
  *ns = check.elapsed_ns;
  return TRUE;
}

int
main (int argc, char **argv)
{
  gint runs = 5;
  g_autofree char *device = NULL;
  GOptionEntry entries[] = {
    { "runs", 'n', 0, G_OPTION_ARG_INT, &runs, "Runs per shape, best taken (default 5)", "N" },
    { "device", 'd', 0, G_OPTION_ARG_STRING, &device,
      "Vulkan device: index or part of its name (default: as RANET_VULKAN_DEVICE)", "DEV" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (RanetVkDevice) dev = NULL;

  g_option_context_set_summary (ctx, "Times the convolution kernels on typical layer shapes, "
      "each checked against the C reference.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || runs < 1) {
    g_printerr ("ranet-opbench: %s\n", error ? error->message : "--runs must be at least 1");
    return 2;
  }
  dev = ranet_vk_device_new (device, &error);
  if (dev == NULL) {
    g_printerr ("ranet-opbench: %s\n", error->message);
    return 1;
  }
  if (!ranet_vk_device_has_timestamps (dev)) {
    g_printerr ("ranet-opbench: %s has no timestamps\n", ranet_vk_device_get_name (dev));
    return 1;
  }

  g_print ("Device: %s. Best of %d runs, device timestamps around one dispatch.\n\n",
      ranet_vk_device_get_name (dev), runs);
  g_print ("| layer | kernel | input CxHxW | output C | stride | MMACs | ms | GFLOP/s |\n");
  g_print ("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++) {
    const Shape *s = &shapes[i];
    guint oh = (s->h + 2 * (s->k / 2) - s->k) / s->stride + 1;
    guint ow = (s->w + 2 * (s->k / 2) - s->k) / s->stride + 1;
    double macs = (double) s->out_c * oh * ow * s->in_c * s->k * s->k;
    guint64 best = G_MAXUINT64;

    for (gint r = 0; r < runs; r++) {
      guint64 ns;
      if (!run_shape (dev, s, &ns, &error)) {
        g_printerr ("ranet-opbench: %ux%u %u->%u %ux%u: %s\n", s->k, s->k, s->in_c, s->out_c,
            s->h, s->w, error->message);
        return 1;
      }
      best = MIN (best, ns);
    }
    g_print ("| %s | %ux%u | %ux%ux%u | %u | %u | %.2f | %.3f | %.2f |\n", s->what, s->k, s->k,
        s->in_c, s->h, s->w, s->out_c, s->stride, macs / 1e6, best / 1e6,
        2.0 * macs / (double) MAX (best, 1));
  }
  return 0;
}
