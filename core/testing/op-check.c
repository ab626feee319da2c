/* op-check.c: runs an op on a device and compares it with the reference. */
#include <math.h>
#include <string.h>

#include "testing/ranet-op-check.h"
#include "ref/ranet-ref.h"

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
  gsize lo, hi;     /* elements of the output view */
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

gboolean
ranet_op_check_conv2d (RanetVkDevice *dev, const RanetConv2dParams *p,
    gboolean same_buffer, guint32 seed, RanetOpCheck *check, GError **error)
{
  RanetOp *op = ranet_op_conv2d_new (dev, p, WEIGHTS_OFFSET, error);
  RanetConv2dParams pa = *p;
  Case c;
  gsize nw = (gsize) p->out.c * p->in.c * p->kh * p->kw;
  gboolean ok;

  if (op == NULL)
    return FALSE;
  case_init (&c, seed, same_buffer, view_end (&p->in), ranet_tensor_view_origin (&p->out),
      ranet_tensor_view_origin (&p->out) + (gsize) p->out.c * p->out.h * p->out.w);
  g_autofree float *w = random_floats (c.rand, nw);
  g_autofree float *b = random_floats (c.rand, p->out.c);
  g_autofree float *wa = abs_floats (w, nw);
  g_autofree float *ba = abs_floats (b, p->out.c);
  g_autofree float *packed = g_new (float, ranet_op_conv2d_packed_weight_size (p));

  ranet_ref_conv2d (p, c.in, w, b, c.ref);
  pa.relu = FALSE;
  ranet_ref_conv2d (&pa, c.abs_in, wa, ba, c.mag);
  ranet_op_conv2d_pack_weights (p, w, b, packed);
  ok = case_run (&c, dev, op, packed, ranet_op_conv2d_packed_weight_size (p),
      check, error);
  case_clear (&c);
  return ok;
}

gboolean
ranet_op_check_conv1x1 (RanetVkDevice *dev, const RanetConv1x1Params *p,
    gboolean same_buffer, guint32 seed, RanetOpCheck *check, GError **error)
{
  RanetOp *op = ranet_op_conv1x1_new (dev, p, WEIGHTS_OFFSET, error);
  RanetConv1x1Params pa = *p;
  Case c;
  gsize nw = (gsize) p->out.c * p->in.c;
  gboolean ok;

  if (op == NULL)
    return FALSE;
  case_init (&c, seed, same_buffer, view_end (&p->in), ranet_tensor_view_origin (&p->out),
      ranet_tensor_view_origin (&p->out) + (gsize) p->out.c * p->out.h * p->out.w);
  g_autofree float *w = random_floats (c.rand, nw);
  g_autofree float *b = random_floats (c.rand, p->out.c);
  g_autofree float *scale = random_floats (c.rand, p->in.c);
  g_autofree float *shift = random_floats (c.rand, p->in.c);
  g_autofree float *wa = abs_floats (w, nw);
  g_autofree float *ba = abs_floats (b, p->out.c);
  g_autofree float *scalea = abs_floats (scale, p->in.c);
  g_autofree float *shifta = abs_floats (shift, p->in.c);
  g_autofree float *packed = g_new (float, ranet_op_conv1x1_packed_weight_size (p));

  ranet_ref_conv1x1 (p, c.in, w, b, scale, shift, c.ref);
  /* relu(|s| |x| + |t|) bounds the pre-activation and its rounding */
  pa.relu = FALSE;
  ranet_ref_conv1x1 (&pa, c.abs_in, wa, ba, scalea, shifta, c.mag);
  ranet_op_conv1x1_pack_weights (p, w, b, scale, shift, packed);
  ok = case_run (&c, dev, op, packed, ranet_op_conv1x1_packed_weight_size (p),
      check, error);
  case_clear (&c);
  return ok;
}

gboolean
ranet_op_check_linear (RanetVkDevice *dev, const RanetLinearParams *p,
    gboolean same_buffer, guint32 seed, RanetOpCheck *check, GError **error)
{
  RanetOp *op = ranet_op_linear_new (dev, p, WEIGHTS_OFFSET, error);
  RanetLinearParams pa = *p;
  Case c;
  gsize nw = (gsize) p->out.c * p->in.c * p->in.h * p->in.w;
  gboolean ok;

  if (op == NULL)
    return FALSE;
  case_init (&c, seed, same_buffer, view_end (&p->in), ranet_tensor_view_origin (&p->out),
      ranet_tensor_view_origin (&p->out) + p->out.c);
  g_autofree float *w = random_floats (c.rand, nw);
  g_autofree float *b = random_floats (c.rand, p->out.c);
  g_autofree float *wa = abs_floats (w, nw);
  g_autofree float *ba = abs_floats (b, p->out.c);
  g_autofree float *packed = g_new (float, ranet_op_linear_packed_weight_size (p));

  ranet_ref_linear (p, c.in, w, b, c.ref);
  pa.relu = FALSE;
  ranet_ref_linear (&pa, c.abs_in, wa, ba, c.mag);
  ranet_op_linear_pack_weights (p, w, b, packed);
  ok = case_run (&c, dev, op, packed, ranet_op_linear_packed_weight_size (p),
      check, error);
  case_clear (&c);
  return ok;
}

gboolean
ranet_op_check_resize_bilinear (RanetVkDevice *dev, const RanetResizeParams *p,
    gboolean same_buffer, guint32 seed, RanetOpCheck *check, GError **error)
{
  RanetOp *op = ranet_op_resize_bilinear_new (dev, p, error);
  Case c;
  gboolean ok;

  if (op == NULL)
    return FALSE;
  case_init (&c, seed, same_buffer, view_end (&p->in), ranet_tensor_view_origin (&p->out),
      ranet_tensor_view_origin (&p->out) + (gsize) p->out.c * p->out.h * p->out.w);
  ranet_ref_resize_bilinear (p, c.in, c.ref);
  ranet_ref_resize_bilinear (p, c.abs_in, c.mag);
  ok = case_run (&c, dev, op, NULL, 0, check, error);
  case_clear (&c);
  return ok;
}

gboolean
ranet_op_check_pool2d (RanetVkDevice *dev, const RanetPool2dParams *p,
    gboolean same_buffer, guint32 seed, RanetOpCheck *check, GError **error)
{
  RanetOp *op = ranet_op_pool2d_new (dev, p, error);
  Case c;
  gboolean ok;

  if (op == NULL)
    return FALSE;
  case_init (&c, seed, same_buffer, view_end (&p->in), ranet_tensor_view_origin (&p->out),
      ranet_tensor_view_origin (&p->out) + (gsize) p->out.c * p->out.h * p->out.w);
  ranet_ref_pool2d (p, c.in, c.ref);
  ranet_ref_pool2d (p, c.abs_in, c.mag);
  ok = case_run (&c, dev, op, NULL, 0, check, error);
  case_clear (&c);
  return ok;
}

gboolean
ranet_op_check_softmax (RanetVkDevice *dev, const RanetSoftmaxParams *p,
    gboolean same_buffer, guint32 seed, RanetOpCheck *check, GError **error)
{
  RanetOp *op = ranet_op_softmax_new (dev, p, error);
  guint k = p->in.c * p->in.h * p->in.w;
  Case c;
  gboolean ok;

  if (op == NULL)
    return FALSE;
  case_init (&c, seed, same_buffer, view_end (&p->in), p->out_base,
      p->out_base + RANET_SOFTMAX_OUT_SIZE (k));
  /* logits spread wider than [-1, 1], as a trained classifier's are */
  for (gsize i = ranet_tensor_view_origin (&p->in); i < ranet_tensor_view_origin (&p->in) + k; i++)
    c.in[i] *= 8.0f;
  ranet_ref_softmax (p, c.in, c.ref);
  for (guint i = 0; i <= k; i++)
    c.mag[p->out_base + i] = 1.0f;
  c.mag[p->out_base + k + 1] = 0.0f;   /* the argmax must be exact */
  ok = case_run (&c, dev, op, NULL, 0, check, error);
  case_clear (&c);
  return ok;
}

gboolean
ranet_op_check_copy (RanetVkDevice *dev, const RanetCopyParams *p,
    gboolean same_buffer, guint32 seed, RanetOpCheck *check, GError **error)
{
  RanetOp *op = ranet_op_copy_new (dev, p, error);
  Case c;
  gboolean ok;

  if (op == NULL)
    return FALSE;
  case_init (&c, seed, same_buffer, view_end (&p->in), ranet_tensor_view_origin (&p->out),
      ranet_tensor_view_origin (&p->out) + (gsize) p->out.c * p->out.h * p->out.w);
  ranet_ref_copy (p, c.in, c.ref);
  ranet_ref_copy (p, c.abs_in, c.mag);
  ok = case_run (&c, dev, op, NULL, 0, check, error);
  case_clear (&c);
  return ok;
}
