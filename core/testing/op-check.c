/* op-check.c: runs one layer's op on a device and compares it with the
 * layer kind's reference. */
#include <math.h>
#include <string.h>

#include "testing/op-check-private.h"

/* Packed weights start here in the weights buffer, so the offset path of every
 * op is exercised; the floats before it are random. */
#define WEIGHTS_OFFSET 8

typedef struct {
  GRand *rand;
  gboolean same;
  gsize in_n, out_n;
  float *in;        /* input buffer; the output buffer too when same */
  float *out_init;  /* output buffer before the run */
  float *ref;       /* expected output buffer */
  float *mag;       /* the op on absolute values: scale of the tolerance */
  float *abs_in;
  gsize lo, hi;     /* the floats the op writes */
} Case;

static gsize
view_end (const RanetTensorView *v)
{
  return v->base + (gsize) v->c_total * v->h * v->w;
}

static float *
random_floats (GRand *rand, gsize n)
{
  float *a = g_new (float, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    a[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
  return a;
}

static float *
abs_floats (const float *a, gsize n)
{
  float *b = g_new (float, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    b[i] = fabsf (a[i]);
  return b;
}

static void
case_init (Case *c, guint32 seed, gboolean same, gsize in_end, gsize out_lo,
    gsize out_hi)
{
  memset (c, 0, sizeof *c);
  c->rand = g_rand_new_with_seed (seed);
  c->same = same;
  c->lo = out_lo;
  c->hi = out_hi;
  if (same) {
    c->in_n = c->out_n = MAX (in_end, out_hi);
    c->in = c->out_init = random_floats (c->rand, c->in_n);
  } else {
    c->in_n = in_end;
    c->out_n = out_hi;
    c->in = random_floats (c->rand, c->in_n);
    c->out_init = random_floats (c->rand, c->out_n);
  }
  c->ref = g_memdup2 (c->out_init, c->out_n * sizeof (float));
  c->mag = g_memdup2 (c->out_init, c->out_n * sizeof (float));
  c->abs_in = abs_floats (c->in, c->in_n);
}

static void
case_clear (Case *c)
{
  if (c->out_init != c->in)
    g_free (c->out_init);
  g_free (c->in);
  g_free (c->ref);
  g_free (c->mag);
  g_free (c->abs_in);
  g_rand_free (c->rand);
}

static gboolean
upload_new (RanetVkDevice *dev, const float *data, gsize n, RanetVkBuffer **buf,
    GError **error)
{
  *buf = ranet_vk_buffer_new (dev, n * sizeof (float), RANET_VK_BUFFER_DEVICE, error);
  return *buf != NULL
      && ranet_vk_buffer_upload (*buf, 0, data, n * sizeof (float), error);
}

/* Runs @op twice (the second run is timed), reads the output buffer back and
 * compares it with the expectation. Takes ownership of @op. */
static gboolean
case_run (Case *c, RanetVkDevice *dev, RanetOp *op, const float *packed,
    gsize packed_n, RanetOpCheck *check, GError **error)
{
  g_autoptr (RanetVkBuffer) bin = NULL;
  g_autoptr (RanetVkBuffer) bout = NULL;
  g_autoptr (RanetVkBuffer) bw = NULL;
  g_autoptr (RanetVkCommands) cmds = NULL;
  g_autofree float *result = g_new (float, c->out_n);
  g_autofree float *wbuf = NULL;
  gint64 t0, t1;
  gboolean ok = FALSE;

  memset (check, 0, sizeof *check);
  if (packed != NULL) {
    wbuf = random_floats (c->rand, WEIGHTS_OFFSET + packed_n);
    memcpy (wbuf + WEIGHTS_OFFSET, packed, packed_n * sizeof (float));
    if (!upload_new (dev, wbuf, WEIGHTS_OFFSET + packed_n, &bw, error))
      goto out;
  }
  if (!upload_new (dev, c->in, c->in_n, &bin, error)
      || (!c->same && !upload_new (dev, c->out_init, c->out_n, &bout, error)))
    goto out;

  cmds = ranet_vk_commands_new (dev, 2, error);
  if (cmds == NULL || !ranet_vk_commands_begin (cmds, error))
    goto out;
  ranet_vk_commands_timestamp (cmds, 0);
  ranet_op_record (op, cmds, bin, bw, c->same ? bin : bout);
  ranet_vk_commands_timestamp (cmds, 1);
  if (!ranet_vk_commands_end (cmds, error) || !ranet_vk_commands_submit (cmds, error))
    goto out;
  t0 = g_get_monotonic_time ();
  if (!ranet_vk_commands_submit (cmds, error))
    goto out;
  t1 = g_get_monotonic_time ();
  check->elapsed_ns = ranet_vk_commands_get_elapsed_ns (cmds, 0, 1);
  if (check->elapsed_ns == 0)
    check->elapsed_ns = (guint64) (t1 - t0) * 1000;
  if (!ranet_vk_buffer_download (c->same ? bin : bout, 0, result,
          c->out_n * sizeof (float), error))
    goto out;

  for (gsize i = 0; i < c->out_n; i++) {
    if (i >= c->lo && i < c->hi) {
      double err = fabs ((double) result[i] - c->ref[i]);
      double tol = RANET_OP_CHECK_RTOL * fabs ((double) c->mag[i]) + RANET_OP_CHECK_ATOL;
      if (isnan (err))
        err = INFINITY;
      check->max_err = MAX (check->max_err, err);
      check->max_err_ratio = MAX (check->max_err_ratio, err / tol);
    } else if (memcmp (&result[i], &c->out_init[i], sizeof (float)) != 0) {
      check->n_outside_changed++;
    }
  }
  ok = TRUE;

out:
  ranet_op_free (op);
  return ok;
}

gboolean
ranet_op_check_passed (const RanetOpCheck *check)
{
  return check->max_err_ratio <= 1.0 && check->n_outside_changed == 0;
}

/* The floats of its output buffer a layer writes: its out view, or its
 * window of the results buffer. */
static void
output_range (const RanetLayer *l, gsize *lo, gsize *hi)
{
  const RanetTensorView *in, *out;
  gsize n;

  ranet_layer_get_views (l, &in, &out);
  if (out != NULL) {
    *lo = ranet_tensor_view_origin (out);
    n = (gsize) out->c * out->h * out->w;
  } else {
    ranet_layer_kind_get_info (l->kind)->results (l, lo, &n);
  }
  *hi = *lo + n;
}

static RanetLayerWeights *
random_weights (GRand *rand, const RanetLayerWeightSizes *n)
{
  RanetLayerWeights *w = g_new0 (RanetLayerWeights, 1);

  w->weight = random_floats (rand, n->weight);
  w->bias = random_floats (rand, n->bias);
  if (n->pre_act > 0) {
    w->pre_scale = random_floats (rand, n->pre_act);
    w->pre_shift = random_floats (rand, n->pre_act);
  }
  return w;
}

static RanetLayerWeights *
abs_weights (const RanetLayerWeights *w, const RanetLayerWeightSizes *n)
{
  RanetLayerWeights *a = g_new0 (RanetLayerWeights, 1);

  a->weight = abs_floats (w->weight, n->weight);
  a->bias = abs_floats (w->bias, n->bias);
  if (n->pre_act > 0) {
    a->pre_scale = abs_floats (w->pre_scale, n->pre_act);
    a->pre_shift = abs_floats (w->pre_shift, n->pre_act);
  }
  return a;
}

gboolean
ranet_op_check_layer (RanetVkDevice *dev, const RanetOpCheckShape *shape, guint32 seed,
    RanetOpCheck *check, GError **error)
{
  const RanetLayer *l = &shape->layer;
  const RanetLayerKindInfo *info = ranet_layer_kind_get_info (l->kind);
  const RanetOpCheckKind *kind = &ranet_op_check_kinds[l->kind];
  const RanetTensorView *in, *out;
  g_autoptr (RanetLayerWeights) w = NULL;
  g_autoptr (RanetLayerWeights) wa = NULL;
  g_autofree float *packed = NULL;
  RanetLayerWeightSizes sizes = { 0 };
  gsize in_lo, in_hi, out_lo, out_hi, packed_n = 0;
  RanetOp *op;
  Case c;
  gboolean ok;

  ranet_layer_get_views (l, &in, &out);
  in_lo = ranet_tensor_view_origin (in);
  in_hi = in_lo + (gsize) in->c * in->h * in->w;
  output_range (l, &out_lo, &out_hi);
  if (shape->same_buffer && in_lo < out_hi && out_lo < in_hi) {
    g_set_error (error, RANET_VK_ERROR, RANET_VK_ERROR_INVALID,
        "%s: input floats %" G_GSIZE_FORMAT "..%" G_GSIZE_FORMAT " and output floats %"
        G_GSIZE_FORMAT "..%" G_GSIZE_FORMAT " overlap in one buffer", info->name,
        in_lo, in_hi, out_lo, out_hi);
    return FALSE;
  }
  op = info->new_op (dev, l, WEIGHTS_OFFSET, error);
  if (op == NULL)
    return FALSE;

  case_init (&c, seed, shape->same_buffer, view_end (in), out_lo, out_hi);
  if (kind->input_scale != 0.0f)
    for (gsize i = in_lo; i < in_hi; i++)
      c.in[i] *= kind->input_scale;
  if (info->weight_sizes != NULL) {
    info->weight_sizes (l, &sizes);
    w = random_weights (c.rand, &sizes);
    wa = abs_weights (w, &sizes);
    packed_n = info->packed_size (l);
    packed = g_new (float, packed_n);
    info->pack (l, w, packed);
  }
  info->reference (l, w, c.in, c.ref);
  /* Every term of the op on absolute values is non-negative, so its ReLUs
   * pass it unchanged: it bounds every partial sum and its rounding. */
  if (kind->magnitude != NULL)
    kind->magnitude (l, c.mag);
  else
    info->reference (l, wa, c.abs_in, c.mag);
  ok = case_run (&c, dev, op, packed, packed_n, check, error);
  case_clear (&c);
  return ok;
}
