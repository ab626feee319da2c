/* op-check.c: runs one layer's op on a device and compares it with the
 * layer kind's reference. */
#include <math.h>
#include <string.h>

#include "testing/op-check-private.h"

/* Packed weights start here in the weights buffer, so the offset path of every
 * op is exercised; the floats before it are random. */
#define WEIGHTS_OFFSET RANET_OP_CHECK_WEIGHTS_OFFSET

/* An indirect dispatch's arguments lie at this byte of their buffer, so
 * that the offset is exercised too. */
#define ARGS_OFFSET 12

typedef struct {
  GRand *rand;
  gboolean same;
  gsize in_n, out_n;
  float *in;        /* input buffer; the output buffer too when same */
  float *out_init;  /* output buffer before the run */
  float *ref;       /* expected output buffer */
  float *mag;       /* the op on absolute values: scale of the tolerance */
  float *abs_in;
  gboolean *writes; /* per float of the output buffer: the op writes it */
  const RanetOpCheckBatch *batch;   /* NULL: not batched */
} Case;

gsize
ranet_op_check_view_end (const RanetTensorView *v)
{
  return v->base + (gsize) v->c_total * v->h * v->w;
}

float *
ranet_op_check_random_floats (GRand *rand, gsize n)
{
  float *a = g_new (float, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    a[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
  return a;
}

float *
ranet_op_check_abs_floats (const float *a, gsize n)
{
  float *b = g_new (float, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    b[i] = fabsf (a[i]);
  return b;
}

static void
case_init (Case *c, guint32 seed, gboolean same, gsize in_end, gsize out_hi)
{
  memset (c, 0, sizeof *c);
  c->rand = g_rand_new_with_seed (seed);
  c->same = same;
  if (same) {
    c->in_n = c->out_n = MAX (in_end, out_hi);
    c->in = c->out_init = ranet_op_check_random_floats (c->rand, c->in_n);
  } else {
    c->in_n = in_end;
    c->out_n = out_hi;
    c->in = ranet_op_check_random_floats (c->rand, c->in_n);
    c->out_init = ranet_op_check_random_floats (c->rand, c->out_n);
  }
  c->ref = g_memdup2 (c->out_init, c->out_n * sizeof (float));
  c->mag = g_memdup2 (c->out_init, c->out_n * sizeof (float));
  c->abs_in = ranet_op_check_abs_floats (c->in, c->in_n);
  c->writes = g_new0 (gboolean, MAX (c->out_n, 1));
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
  g_free (c->writes);
  g_rand_free (c->rand);
}

/* Writes the workgroup counts of @op over @n items at ARGS_OFFSET of @args. */
static gboolean
write_args (RanetOp *op, RanetVkBuffer *args, guint n, GError **error)
{
  guint32 counts[3];

  ranet_op_get_dispatch_args (op, n, counts);
  return ranet_vk_buffer_upload (args, ARGS_OFFSET, counts, sizeof counts, error);
}

static gboolean
upload_new (RanetVkDevice *dev, const float *data, gsize n, RanetVkBuffer **buf,
    GError **error)
{
  *buf = ranet_vk_buffer_new (dev, n * sizeof (float), RANET_VK_BUFFER_DEVICE, error);
  return *buf != NULL
      && ranet_vk_buffer_upload (*buf, 0, data, n * sizeof (float), error);
}

/* The slots a batch runs, in order. */
static guint32
batch_slot (const RanetOpCheckBatch *b, guint i)
{
  return b->items != NULL ? b->items[i] : i;
}

static guint
batch_n_run (const RanetOpCheckBatch *b)
{
  return b->items != NULL ? b->n_run : b->n_slots;
}

/* Records @op over @c's batch, with its items list @items and, for an
 * indirect dispatch, its arguments in @args. */
static void
record_batch (Case *c, RanetOp *op, RanetVkCommands *cmds, RanetVkBuffer *const *buffers,
    guint n_buffers, RanetVkBuffer *items, RanetVkBuffer *args)
{
  if (c->batch->indirect)
    ranet_op_record_items_indirect (op, cmds, buffers, n_buffers, items, args, ARGS_OFFSET);
  else
    ranet_op_record_items (op, cmds, buffers, n_buffers, items, batch_n_run (c->batch));
}

/* A batch's items list, and for an indirect dispatch its arguments buffer
 * holding the counts of one item (the first run). */
static gboolean
batch_buffers (Case *c, RanetVkDevice *dev, RanetOp *op, RanetVkBuffer **items,
    RanetVkBuffer **args, GError **error)
{
  guint n = batch_n_run (c->batch);
  g_autofree guint32 *list = g_new (guint32, n);

  for (guint i = 0; i < n; i++)
    list[i] = batch_slot (c->batch, i);
  /* the items list in device memory for one kind of dispatch, host memory
   * for the other, so both are checked */
  *items = ranet_vk_buffer_new (dev, n * sizeof (guint32),
      c->batch->indirect ? RANET_VK_BUFFER_HOST : RANET_VK_BUFFER_DEVICE, error);
  if (*items == NULL || !ranet_vk_buffer_upload (*items, 0, list, n * sizeof (guint32), error))
    return FALSE;
  if (!c->batch->indirect)
    return TRUE;
  *args = ranet_vk_buffer_new (dev, ARGS_OFFSET + 3 * sizeof (guint32), RANET_VK_BUFFER_HOST,
      error);
  return *args != NULL && write_args (op, *args, 1, error);
}

/* Runs @op twice (the second run is timed), reads the output buffer back and
 * compares it with the expectation. A batched op's indirect dispatch runs
 * its first item only the first time, all of them the second: one
 * recording serves both. Takes ownership of @op. */
static gboolean
case_run (Case *c, RanetVkDevice *dev, RanetOp *op, const float *packed,
    gsize packed_n, RanetOpCheck *check, GError **error)
{
  g_autoptr (RanetVkBuffer) bin = NULL;
  g_autoptr (RanetVkBuffer) bout = NULL;
  g_autoptr (RanetVkBuffer) bw = NULL;
  g_autoptr (RanetVkBuffer) bitems = NULL;
  g_autoptr (RanetVkBuffer) bargs = NULL;
  g_autoptr (RanetVkCommands) cmds = NULL;
  g_autofree float *result = g_new (float, c->out_n);
  RanetVkBuffer *buffers[3];
  guint n_buffers = 0;
  g_autofree float *wbuf = NULL;
  gint64 t0, t1;
  gboolean ok = FALSE;

  memset (check, 0, sizeof *check);
  if (packed != NULL) {
    wbuf = ranet_op_check_random_floats (c->rand, WEIGHTS_OFFSET + packed_n);
    memcpy (wbuf + WEIGHTS_OFFSET, packed, packed_n * sizeof (float));
    if (!upload_new (dev, wbuf, WEIGHTS_OFFSET + packed_n, &bw, error))
      goto out;
  }
  if (!upload_new (dev, c->in, c->in_n, &bin, error)
      || (!c->same && !upload_new (dev, c->out_init, c->out_n, &bout, error)))
    goto out;
  if (c->batch != NULL && !batch_buffers (c, dev, op, &bitems, &bargs, error))
    goto out;
  buffers[n_buffers++] = bin;
  if (bw != NULL)
    buffers[n_buffers++] = bw;
  buffers[n_buffers++] = c->same ? bin : bout;

  cmds = ranet_vk_commands_new (dev, 2, error);
  if (cmds == NULL || !ranet_vk_commands_begin (cmds, error))
    goto out;
  ranet_vk_commands_timestamp (cmds, 0);
  if (c->batch != NULL)
    record_batch (c, op, cmds, buffers, n_buffers, bitems, bargs);
  else
    ranet_op_record_buffers (op, cmds, buffers, n_buffers);
  ranet_vk_commands_timestamp (cmds, 1);
  if (!ranet_vk_commands_end (cmds, error) || !ranet_vk_commands_submit (cmds, error))
    goto out;
  if (bargs != NULL && !write_args (op, bargs, batch_n_run (c->batch), error))
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
    if (c->writes[i]) {
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

  w->weight = ranet_op_check_random_floats (rand, n->weight);
  w->bias = ranet_op_check_random_floats (rand, n->bias);
  if (n->pre_act > 0) {
    w->pre_scale = ranet_op_check_random_floats (rand, n->pre_act);
    w->pre_shift = ranet_op_check_random_floats (rand, n->pre_act);
  }
  return w;
}

static RanetLayerWeights *
abs_weights (const RanetLayerWeights *w, const RanetLayerWeightSizes *n)
{
  RanetLayerWeights *a = g_new0 (RanetLayerWeights, 1);

  a->weight = ranet_op_check_abs_floats (w->weight, n->weight);
  a->bias = ranet_op_check_abs_floats (w->bias, n->bias);
  if (n->pre_act > 0) {
    a->pre_scale = ranet_op_check_abs_floats (w->pre_scale, n->pre_act);
    a->pre_shift = ranet_op_check_abs_floats (w->pre_shift, n->pre_act);
  }
  return a;
}

/* @l with its views (and a softmax's results) as @n items @in_stride and
 * @out_stride floats apart, item @slot moved to where item 0 is: the layer
 * of @n items for n > 1, item @slot's own layer for n = 1. */
static RanetLayer
layer_items (const RanetLayer *l, guint n, guint slot, gsize in_stride, gsize out_stride)
{
  const RanetLayerKindInfo *info = ranet_layer_kind_get_info (l->kind);
  RanetLayer b = *l;
  RanetTensorView *in = ranet_layer_view_at (&b, info->in_view);
  RanetTensorView *out = ranet_layer_view_at (&b, info->out_view);

  in->base += slot * in_stride;
  in->n_items = n;
  in->item_stride = n > 1 ? in_stride : 0;
  if (out != NULL) {
    out->base += slot * out_stride;
    out->n_items = n;
    out->item_stride = n > 1 ? out_stride : 0;
  } else {
    /* the kinds that write results: softmax */
    g_assert (l->kind == RANET_LAYER_SOFTMAX);
    b.p.softmax.out_base += slot * out_stride;
    b.p.softmax.out_item_stride = n > 1 ? out_stride : 0;
  }
  return b;
}

/* Checks @shape alone (@batch NULL) or batched as @batch says. */
static gboolean
check_layer (RanetVkDevice *dev, const RanetOpCheckShape *shape,
    const RanetOpCheckBatch *batch, guint32 seed, RanetOpCheck *check, GError **error)
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
  gsize in_stride = 0, out_stride = 0;
  guint n = batch != NULL ? batch->n_slots : 1;
  guint n_run = batch != NULL ? batch_n_run (batch) : 1;
  RanetLayer lb;
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
  if (batch != NULL) {
    gsize out_end = out != NULL ? ranet_op_check_view_end (out) : out_hi;

    g_return_val_if_fail (n > 1 && n_run >= 1 && n_run <= n, FALSE);
    for (guint i = 0; i < n_run; i++)
      g_return_val_if_fail (batch_slot (batch, i) < n, FALSE);
    /* in one buffer, each item's input and output after the previous
     * item's; otherwise input and output strides of their own */
    if (shape->same_buffer) {
      in_stride = out_stride = MAX (ranet_op_check_view_end (in), out_end) + batch->gap;
    } else {
      in_stride = (gsize) in->c_total * in->h * in->w + batch->gap;
      out_stride = out_end - (out != NULL ? out->base : out_lo) + 2 * batch->gap;
    }
  }
  lb = layer_items (l, n, 0, in_stride, out_stride);
  op = info->new_op (dev, &lb, WEIGHTS_OFFSET, error);
  if (op == NULL)
    return FALSE;

  case_init (&c, seed, shape->same_buffer, ranet_op_check_view_end (in) + (n - 1) * in_stride,
      out_hi + (n - 1) * out_stride);
  c.batch = batch;
  if (kind->input_scale != 0.0f)
    for (guint slot = 0; slot < n; slot++)
      for (gsize i = in_lo; i < in_hi; i++)
        c.in[i + slot * in_stride] *= kind->input_scale;
  if (info->weight_sizes != NULL) {
    info->weight_sizes (l, &sizes);
    w = random_weights (c.rand, &sizes);
    wa = abs_weights (w, &sizes);
    packed_n = info->packed_size (l);
    packed = g_new (float, packed_n);
    info->pack (l, w, packed);
  }
  /* each item run by itself in the reference */
  for (guint i = 0; i < n_run; i++) {
    guint slot = batch != NULL ? batch_slot (batch, i) : 0;
    RanetLayer li = layer_items (l, 1, slot, in_stride, out_stride);
    gsize lo, hi;

    info->reference (&li, w, c.in, c.ref);
    /* Every term of the op on absolute values is non-negative, so its ReLUs
     * pass it unchanged: it bounds every partial sum and its rounding. */
    if (kind->magnitude != NULL)
      kind->magnitude (&li, c.mag);
    else
      info->reference (&li, wa, c.abs_in, c.mag);
    output_range (&li, &lo, &hi);
    for (gsize j = lo; j < hi; j++)
      c.writes[j] = TRUE;
  }
  ok = case_run (&c, dev, op, packed, packed_n, check, error);
  case_clear (&c);
  return ok;
}

gboolean
ranet_op_check_run (RanetVkDevice *dev, RanetOp *op, const RanetOpCheckRun *run,
    guint32 seed, RanetOpCheck *check, GError **error)
{
  Case c;
  gboolean ok;

  g_return_val_if_fail (dev != NULL && op != NULL && run != NULL, FALSE);
  memset (&c, 0, sizeof c);
  c.rand = g_rand_new_with_seed (seed);
  c.in_n = run->in_n;
  c.out_n = run->out_n;
  c.in = g_memdup2 (run->in, run->in_n * sizeof (float));
  c.out_init = g_memdup2 (run->out, run->out_n * sizeof (float));
  c.ref = g_memdup2 (run->expected, run->out_n * sizeof (float));
  c.mag = g_memdup2 (run->magnitude, run->out_n * sizeof (float));
  c.writes = g_memdup2 (run->writes, run->out_n * sizeof (gboolean));
  ok = case_run (&c, dev, op, run->packed, run->packed_n, check, error);
  case_clear (&c);
  return ok;
}

gboolean
ranet_op_check_layer (RanetVkDevice *dev, const RanetOpCheckShape *shape, guint32 seed,
    RanetOpCheck *check, GError **error)
{
  return check_layer (dev, shape, NULL, seed, check, error);
}

gboolean
ranet_op_check_layer_batch (RanetVkDevice *dev, const RanetOpCheckShape *shape,
    const RanetOpCheckBatch *batch, guint32 seed, RanetOpCheck *check, GError **error)
{
  g_return_val_if_fail (batch != NULL, FALSE);
  return check_layer (dev, shape, batch, seed, check, error);
}

gsize
ranet_op_check_item_floats (const RanetOpCheckShape *shape)
{
  const RanetTensorView *in, *out;
  gsize lo, hi;

  ranet_layer_get_views (&shape->layer, &in, &out);
  output_range (&shape->layer, &lo, &hi);
  return (gsize) in->c_total * in->h * in->w
      + (out != NULL ? (gsize) out->c_total * out->h * out->w : hi - lo);
}
