/* ranet-bench: how fast a model runs here, against the device's limits and PyTorch.
 *
 *   ranet-bench [MODEL.safetensors]        the default model when none is given
 *   ranet-bench --config imagenet          the paper's ImageNet-style RANet at 224x224
 *                                          with random weights (written by
 *                                          python/bench_torch.py --make-model)
 *
 * In one run, so that the ratios compare figures taken under the same load:
 *   - the device's fp32 arithmetic peak and storage-buffer bandwidth, from two
 *     probe shaders (shaders/probe_fma.comp, shaders/probe_copy.comp);
 *   - per-stage and end-to-end latency over many frames (GPU timestamps and host
 *     wall time, median and p99), every stage run as a frame that never exits early;
 *   - per-stage and per-op-kind GPU time, MACs and GFLOP/s from profiling runs
 *     that time every layer alone (ranet_net_profile());
 *   - the cost of turning a 1920x1080 RGBA frame into the model input, including
 *     the copy into the host-visible frame buffer: the whole frame, and only the
 *     rows the bilinear taps read;
 *   - PyTorch on the CPU (python/bench_torch.py: same file, same input, batch 1,
 *     one thread per core), and the largest logit difference as a sanity check.
 * With --batch SIZES it times batches of those sizes instead (ranet-bench-batch.c).
 * python/bench_engines.py runs it beside PyTorch eager, frozen TorchScript and
 * OpenCV DNN (--save-input gives them the same tensor).
 * The output is Markdown tables, ready for docs/PERFORMANCE.md.
 */
#include "graph/ranet-layer-kind.h"
#include "bench-stats.h"
#include "ranet-bench-batch.h"
#include "net/ranet-net.h"
#include "preprocess/ranet-preprocess.h"
#include "testing/ranet-test-pipeline.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef RANET_SOURCE_ROOT
#define RANET_SOURCE_ROOT "."
#endif

#define DEFAULT_MODEL RANET_SOURCE_ROOT "/models/fashion-mnist-ranet.safetensors"

typedef struct {
  const char *model;
  const char *config;
  const char *model_cache;
  const char *python;
  const char *tools_dir;
  const char *save_input;
  const char *batch;
  gint frames;
  gint profile_runs;
  gboolean layers;
  gint torch_runs;
  gint pre_runs;
  gboolean no_torch;
} Options;

/* ---- statistics ---- */

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* CPU time of the whole process (every driver thread included), in ms. On a
 * CPU implementation such as lavapipe this is the work a frame costs, and
 * unlike wall time it barely moves when other processes load the machine. */
static double
cpu_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- device probes ---- */

typedef struct {
  double peak_gflops;
  double copy_gbs;
} Probe;

/* Best of several runs of one dispatch, in ms of GPU time (wall time where the
 * device has no timestamps). */
static gboolean
time_dispatch (RanetVkDevice *dev, RanetVkPipeline *pipe, RanetVkBuffer **bufs,
    guint n_bufs, guint groups_x, guint groups_y, guint runs, double *best_ms,
    GError **error)
{
  g_autoptr (RanetVkCommands) cmds = ranet_vk_commands_new (dev, 2, error);

  if (cmds == NULL || !ranet_vk_commands_begin (cmds, error))
    return FALSE;
  ranet_vk_commands_timestamp (cmds, 0);
  ranet_vk_commands_dispatch (cmds, pipe, bufs, n_bufs, NULL, 0, groups_x, groups_y, 1);
  ranet_vk_commands_barrier (cmds);
  ranet_vk_commands_timestamp (cmds, 1);
  if (!ranet_vk_commands_end (cmds, error))
    return FALSE;
  *best_ms = G_MAXDOUBLE;
  for (guint r = 0; r < runs + 1; r++) {
    double t0 = now_ms (), ms;
    if (!ranet_vk_commands_submit (cmds, error))
      return FALSE;
    ms = ranet_vk_device_has_timestamps (dev)
        ? ranet_vk_commands_get_elapsed_ns (cmds, 0, 1) / 1e6 : now_ms () - t0;
    if (r > 0)   /* the first run pays for compiling the shader */
      *best_ms = MIN (*best_ms, ms);
  }
  return TRUE;
}

static gboolean
probe_device (RanetVkDevice *dev, Probe *probe, GError **error)
{
  /* Enough work for tens of milliseconds at ~100 GFLOP/s, spread over many
   * workgroups so that every core (or compute unit) has some. */
  const guint32 iters = 4096, groups = 256, fma_spec[] = { iters };
  /* Buffers large enough to leave the caches, small enough for any binding. */
  const gsize copy_bytes = (gsize) 32 << 20;
  const guint32 copy_spec[] = { (guint32) (copy_bytes / 16) };
  g_autoptr (RanetVkPipeline) fma = NULL, copy = NULL;
  g_autoptr (RanetVkBuffer) out = NULL, a = NULL, b = NULL;
  RanetVkBuffer *bufs[2];
  double ms;

  fma = ranet_test_pipeline_new (dev, "probe_fma", 1, fma_spec, 1, 0, error);
  out = ranet_vk_buffer_new (dev, groups * 64 * 16, RANET_VK_BUFFER_DEVICE, error);
  if (fma == NULL || out == NULL
      || !time_dispatch (dev, fma, &out, 1, groups, 1, 5, &ms, error))
    return FALSE;
  probe->peak_gflops = (double) groups * 64 * iters * 8 * 4 * 2 / (ms * 1e6);

  copy = ranet_test_pipeline_new (dev, "probe_copy", 2, copy_spec, 1, 0, error);
  a = ranet_vk_buffer_new (dev, copy_bytes, RANET_VK_BUFFER_DEVICE, error);
  if (copy == NULL || a == NULL)
    return FALSE;
  b = ranet_vk_buffer_new (dev, copy_bytes, RANET_VK_BUFFER_DEVICE, error);
  if (b == NULL)
    return FALSE;
  bufs[0] = a;
  bufs[1] = b;
  /* 32 MiB / 16 bytes / 64 per group = 32768 groups: fits one dimension */
  if (!time_dispatch (dev, copy, bufs, 2, (guint) (copy_bytes / 16 / 64), 1, 5, &ms, error))
    return FALSE;
  probe->copy_gbs = 2.0 * copy_bytes / (ms * 1e6);
  return TRUE;
}

/* ---- the model ---- */

/* Writes the ImageNet-style model with random weights through the Python tools. */
static gboolean
make_imagenet_model (const Options *o, const char *path, GError **error)
{
  g_autofree char *script = g_build_filename (o->tools_dir, "bench_torch.py", NULL);
  const char *argv[] = { o->python, script, "--make-model", "imagenet", "--out", path, NULL };
  gint status;

  g_printerr ("writing the ImageNet-style model with random weights to %s ...\n", path);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
          &status, error))
    return FALSE;
  return g_spawn_check_wait_status (status, error);
}

/* A fixed pseudo-random input, roughly normal like a normalised image. */
static float *
make_input (gsize n)
{
  float *x = g_new (float, n);
  guint32 s = 12345;

  for (gsize i = 0; i < n; i++) {
    float sum = 0.0f;
    for (guint k = 0; k < 4; k++) {
      s = s * 1664525u + 1013904223u;
      sum += (float) (s >> 8) / (float) (1u << 24);
    }
    x[i] = (sum - 2.0f) * 1.7f;
  }
  return x;
}

typedef struct {
  char *name;
  guint count;
  guint64 macs;
  double ms;
} KindStats;

static void
kind_stats_free (gpointer p)
{
  KindStats *k = p;
  g_free (k->name);
  g_free (k);
}

static double
gflops (guint64 macs, double ms)
{
  return ms > 0 ? 2.0 * macs / (ms * 1e6) : 0.0;
}

/* One line per layer: where the time goes inside a stage. */
static void
print_layers (const RanetGraph *g, const double *layer_ms)
{
  printf ("| layer | stage | kind | input CxHxW | output CxHxW | MMACs | profiled ms | GFLOP/s |\n");
  printf ("| ---: | ---: | --- | --- | --- | ---: | ---: | ---: |\n");
  for (guint i = 0; i < ranet_graph_get_n_layers (g); i++) {
    const RanetLayer *l = ranet_graph_get_layer (g, i);
    const RanetTensorView *in, *out;
    g_autofree char *kind = ranet_layer_get_bench_category (l);
    g_autofree char *out_shape = NULL;

    ranet_layer_get_views (l, &in, &out);
    out_shape = out != NULL ? g_strdup_printf ("%ux%ux%u", out->c, out->h, out->w) : g_strdup ("");
    g_autofree char *rate = l->macs ? g_strdup_printf ("%.2f", gflops (l->macs, layer_ms[i]))
        : g_strdup ("");
    printf ("| %u | %u | %s | %ux%ux%u | %s | %.3f | %.3f | %s |\n", i, l->stage, kind,
        in->c, in->h, in->w, out_shape, l->macs / 1e6, layer_ms[i], rate);
  }
  printf ("\n");
}


/* ---- PyTorch ---- */

typedef struct {
  double median_ms, p99_ms;
  guint threads;
  char *version;
  GPtrArray *logits;   /* per exit: GArray of double */
} TorchResult;

static void
torch_result_clear (TorchResult *t)
{
  g_free (t->version);
  g_clear_pointer (&t->logits, g_ptr_array_unref);
}

static gboolean
run_torch (const Options *o, const char *model_path, const float *input, gsize n,
    TorchResult *t, GError **error)
{
  g_autofree char *script = g_build_filename (o->tools_dir, "bench_torch.py", NULL);
  g_autofree char *in_path = NULL;
  g_autofree char *runs = g_strdup_printf ("%d", o->torch_runs);
  g_autofree char *threads = g_strdup_printf ("%u", g_get_num_processors ());
  g_autofree char *out = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *obj;
  JsonArray *exits;
  gint fd, status;

  fd = g_file_open_tmp ("ranet-bench-XXXXXX.f32", &in_path, error);
  if (fd < 0)
    return FALSE;
  close (fd);
  if (!g_file_set_contents (in_path, (const char *) input, n * sizeof (float), error))
    return FALSE;
  const char *argv[] = { o->python, script, "--model", model_path, "--input", in_path,
    "--runs", runs, "--threads", threads, NULL };
  gboolean ok = g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
      &out, NULL, &status, error) && g_spawn_check_wait_status (status, error);
  g_unlink (in_path);
  if (!ok || !json_parser_load_from_data (parser, out, -1, error))
    return FALSE;
  obj = json_node_get_object (json_parser_get_root (parser));
  t->median_ms = json_object_get_double_member (obj, "median_ms");
  t->p99_ms = json_object_get_double_member (obj, "p99_ms");
  t->threads = (guint) json_object_get_int_member (obj, "threads");
  t->version = g_strdup (json_object_get_string_member (obj, "torch"));
  t->logits = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  exits = json_object_get_array_member (obj, "logits");
  for (guint k = 0; k < json_array_get_length (exits); k++) {
    JsonArray *a = json_array_get_array_element (exits, k);
    GArray *v = g_array_new (FALSE, FALSE, sizeof (double));
    for (guint i = 0; i < json_array_get_length (a); i++) {
      double d = json_array_get_double_element (a, i);
      g_array_append_val (v, d);
    }
    g_ptr_array_add (t->logits, v);
  }
  return TRUE;
}

/* ---- preprocessing a video frame ---- */

typedef struct {
  guint rows_total, rows_needed;
  double copy_full_ms, copy_rows_ms;       /* host: memcpy into the frame buffer */
  double gpu_ms;                           /* the dispatch alone */
  double wall_full_ms, wall_rows_ms;       /* copy + submit + wait */
} PreResult;

static gboolean
bench_preprocess (RanetVkDevice *dev, RanetModel *model, guint runs,
    PreResult *r, GError **error)
{
  const guint fw = 1920, fh = 1080;
  const RanetFrameLayout layout = {
    .format = RANET_PIXEL_RGBA, .width = fw, .height = fh, .stride = { (gsize) fw * 4 },
    .kr = 0.299, .kb = 0.114,
  };
  RanetPreprocessParams p;
  g_autoptr (RanetVkBuffer) frame = NULL, out = NULL;
  g_autoptr (RanetVkCommands) cmds = NULL;
  g_autofree guint8 *src = NULL;
  g_autofree guint *rows = NULL;
  g_autofree double *t_full = g_new (double, runs), *t_rows = g_new (double, runs),
      *w_full = g_new (double, runs), *w_rows = g_new (double, runs),
      *gpu = g_new (double, 2 * runs);
  RanetOp *op;
  gsize size, row_bytes;
  guint8 *dst;

  /* the input alone, in its own buffer */
  ranet_preprocess_params_for_model (model, &layout, RANET_RESIZE_STRETCH, &p);
  p.out.base = 0;
  p.out.c_offset = 0;
  p.out.c_total = p.out.c;
  size = ranet_frame_layout_get_size (&p.frame);
  row_bytes = p.frame.stride[0];
  src = g_malloc (size);
  for (gsize i = 0; i < size; i++)
    src[i] = (guint8) (i * 7 + (i >> 12));
  rows = g_new (guint, fh);
  r->rows_total = fh;
  r->rows_needed = ranet_preprocess_get_plane_rows (&p, 0, rows);

  op = ranet_op_preprocess_new (dev, &p, error);
  if (op == NULL)
    return FALSE;
  frame = ranet_vk_buffer_new (dev, (size + 3) & ~(gsize) 3, RANET_VK_BUFFER_HOST, error);
  out = frame ? ranet_vk_buffer_new (dev, (gsize) p.out.c * p.out.h * p.out.w * sizeof (float),
      RANET_VK_BUFFER_DEVICE, error) : NULL;
  cmds = out ? ranet_vk_commands_new (dev, 2, error) : NULL;
  if (cmds == NULL || !ranet_vk_commands_begin (cmds, error)) {
    ranet_op_free (op);
    return FALSE;
  }
  ranet_vk_commands_timestamp (cmds, 0);
  ranet_op_record (op, cmds, frame, NULL, out);
  ranet_vk_commands_barrier (cmds);
  ranet_vk_commands_timestamp (cmds, 1);
  if (!ranet_vk_commands_end (cmds, error)) {
    ranet_op_free (op);
    return FALSE;
  }
  dst = ranet_vk_buffer_get_mapped (frame);

  for (guint i = 0; i < runs + 1; i++) {
    double t0 = now_ms (), t1, t2, t3;
    memcpy (dst, src, size);
    t1 = now_ms ();
    if (!ranet_vk_commands_submit (cmds, error))
      break;
    t2 = now_ms ();
    if (i > 0) {
      t_full[i - 1] = t1 - t0;
      w_full[i - 1] = t2 - t0;
      gpu[2 * (i - 1)] = ranet_vk_commands_get_elapsed_ns (cmds, 0, 1) / 1e6;
    }
    t0 = now_ms ();
    for (guint j = 0; j < r->rows_needed; j++)
      memcpy (dst + rows[j] * row_bytes, src + rows[j] * row_bytes, row_bytes);
    t1 = now_ms ();
    if (!ranet_vk_commands_submit (cmds, error))
      break;
    t3 = now_ms ();
    if (i > 0) {
      t_rows[i - 1] = t1 - t0;
      w_rows[i - 1] = t3 - t0;
      gpu[2 * (i - 1) + 1] = ranet_vk_commands_get_elapsed_ns (cmds, 0, 1) / 1e6;
    }
  }
  /* the pipeline must outlive every submission of the recording */
  ranet_op_free (op);
  if (error != NULL && *error != NULL)
    return FALSE;
  r->copy_full_ms = bench_median (t_full, runs);
  r->copy_rows_ms = bench_median (t_rows, runs);
  r->wall_full_ms = bench_median (w_full, runs);
  r->wall_rows_ms = bench_median (w_rows, runs);
  r->gpu_ms = bench_median (gpu, 2 * runs);
  return TRUE;
}

/* ---- the run ---- */

/* --batch: sizes as a comma-separated list, each 1 to RANET_NET_MAX_BATCH. */
static int
run_batches (const Options *o, const char *model_path, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (o->batch, ",", -1);
  guint n_sizes = g_strv_length (parts);
  g_autofree guint *sizes = g_new (guint, MAX (n_sizes, 1));
  g_autoptr (RanetVkDevice) dev = NULL;
  g_autoptr (RanetModel) model = NULL;
  g_autofree float *input = NULL;
  const RanetConfig *cfg;
  gsize n_in;

  for (guint i = 0; i < n_sizes; i++) {
    guint64 v;

    if (!g_ascii_string_to_unsigned (g_strstrip (parts[i]), 10, 1, RANET_NET_MAX_BATCH, &v,
            error)) {
      g_prefix_error (error, "--batch: ");
      return 1;
    }
    sizes[i] = (guint) v;
  }
  dev = ranet_vk_device_get_shared (NULL, error);
  if (dev == NULL)
    return 1;
  model = ranet_model_load_file (model_path, error);
  if (model == NULL)
    return 1;
  cfg = ranet_model_get_config (model);
  n_in = (gsize) cfg->in_channels * cfg->input_h * cfg->input_w;
  input = make_input (n_in);
  printf ("# %s on %s\n\n", model_path, ranet_vk_device_get_name (dev));
  return ranet_bench_batches (dev, model, sizes, n_sizes, (guint) o->frames, input, n_in,
      error) ? 0 : 1;
}

static int
run (const Options *o, GError **error)
{
  g_autoptr (RanetVkDevice) dev = NULL;
  g_autoptr (RanetModel) model = NULL;
  g_autoptr (RanetNet) net = NULL;
  g_autofree char *tmp_dir = NULL;
  g_autofree char *model_path = NULL;
  g_autofree float *input = NULL;
  Probe probe = { 0 };
  PreResult pre = { 0 };
  TorchResult torch = { 0 };
  gboolean have_torch = FALSE;
  const RanetGraph *g;
  const RanetConfig *cfg;
  guint n_exits, n_layers, frames = (guint) o->frames;
  gsize n_in;
  double t_load, t_device, t_model, t_net, t_net_again;
  guint n_pipelines;

  if (o->config != NULL) {
    if (strcmp (o->config, "imagenet") != 0) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "unknown --config %s (known: imagenet)", o->config);
      return 1;
    }
    if (o->model_cache != NULL) {
      model_path = g_strdup (o->model_cache);
    } else {
      tmp_dir = g_dir_make_tmp ("ranet-bench-XXXXXX", error);
      if (tmp_dir == NULL)
        return 1;
      model_path = g_build_filename (tmp_dir, "imagenet-random.safetensors", NULL);
    }
    if (!g_file_test (model_path, G_FILE_TEST_EXISTS)
        && !make_imagenet_model (o, model_path, error))
      return 1;
  } else {
    model_path = g_strdup (o->model ? o->model : DEFAULT_MODEL);
  }

  if (o->batch != NULL)
    return run_batches (o, model_path, error);

  /* start-up as an element sees it: the device, the model, the net (its
   * pipelines compiled), and the net made again on the same device, as
   * when a pipeline is restarted (the device keeps its pipelines) */
  t_device = now_ms ();
  dev = ranet_vk_device_get_shared (NULL, error);
  if (dev == NULL)
    return 1;
  t_device = now_ms () - t_device;
  t_model = now_ms ();
  model = ranet_model_load_file (model_path, error);
  if (model == NULL)
    return 1;
  t_model = now_ms () - t_model;
  t_net = now_ms ();
  net = ranet_net_new (dev, model, error);
  if (net == NULL)
    return 1;
  t_net = now_ms () - t_net;
  n_pipelines = ranet_vk_device_get_n_pipelines (dev);
  t_load = t_model + t_net;
  t_net_again = now_ms ();
  {
    g_autoptr (RanetNet) again = ranet_net_new (dev, model, error);
    if (again == NULL)
      return 1;
  }
  t_net_again = now_ms () - t_net_again;
  if (!probe_device (dev, &probe, error))
    return 1;
  g = ranet_net_get_graph (net);
  cfg = ranet_graph_get_config (g);
  n_exits = ranet_net_get_n_exits (net);
  n_layers = ranet_graph_get_n_layers (g);
  n_in = (gsize) cfg->in_channels * cfg->input_h * cfg->input_w;
  input = make_input (n_in);
  if (!ranet_net_set_input_tensor (net, input, error))
    return 1;
  /* so that other engines can be timed on exactly this tensor
   * (python/bench_engines.py) */
  if (o->save_input != NULL
      && !g_file_set_contents (o->save_input, (const char *) input, n_in * sizeof (float), error))
    return 1;

  /* ---- latency over many frames, every stage run ---- */
  g_autofree double *st_gpu = g_new (double, (gsize) n_exits * frames);
  g_autofree double *st_wall = g_new (double, (gsize) n_exits * frames);
  g_autofree double *e2e_gpu = g_new (double, frames);
  g_autofree double *e2e_wall = g_new (double, frames);
  g_autofree double *e2e_cpu = g_new (double, frames);
  for (guint f = 0; f < frames + 3; f++) {
    double t0 = now_ms (), c0 = cpu_ms (), gsum = 0;
    for (guint k = 0; k < n_exits; k++) {
      RanetExitResult res;
      if (!ranet_net_run_stage (net, k, &res, error))
        return 1;
      if (f >= 3) {
        st_gpu[(gsize) k * frames + f - 3] = res.gpu_ns / 1e6;
        st_wall[(gsize) k * frames + f - 3] = res.wall_ns / 1e6;
      }
      gsum += res.gpu_ns / 1e6;
    }
    if (f >= 3) {   /* three frames of warm-up: caches, lazily created state */
      e2e_wall[f - 3] = now_ms () - t0;
      e2e_cpu[f - 3] = cpu_ms () - c0;
      e2e_gpu[f - 3] = gsum;
    }
  }

  /* ---- the same frames as one submission each (ranet_net_run: the exit
   * decided on the device where it can skip dispatches; a submission per
   * stage where not) ---- */
  g_autofree double *one_wall = g_new (double, frames);
  g_autofree double *one_gpu = g_new (double, frames);
  for (guint f = 0; f < frames + 3; f++) {
    double t0 = now_ms ();
    RanetExitResult res;
    if (!ranet_net_run (net, NULL, n_exits - 1, &res, error))
      return 1;
    if (f >= 3) {
      one_wall[f - 3] = now_ms () - t0;
      one_gpu[f - 3] = res.gpu_ns / 1e6;
    }
  }

  /* ---- every layer timed alone ---- */
  guint pruns = (guint) o->profile_runs;
  g_autofree guint64 *ns = g_new (guint64, n_layers);
  g_autofree double *layer_runs = g_new (double, (gsize) n_layers * pruns);
  g_autofree double *layer_ms = g_new (double, n_layers);
  g_autofree double *input_runs = g_new (double, pruns);
  /* One run untimed, as for the frames above: a net whose layers run fused has not dispatched its per-layer ops
   * yet, and llvmpipe generates a shader's code at its first dispatch. */
  if (!ranet_net_profile (net, ns, NULL, error))
    return 1;
  for (guint r = 0; r < pruns; r++) {
    guint64 in_ns = 0;
    if (!ranet_net_profile (net, ns, &in_ns, error))
      return 1;
    for (guint i = 0; i < n_layers; i++)
      layer_runs[(gsize) i * pruns + r] = ns[i] / 1e6;
    input_runs[r] = in_ns / 1e6;
  }
  for (guint i = 0; i < n_layers; i++)
    layer_ms[i] = bench_median (layer_runs + (gsize) i * pruns, pruns);
  double input_ms = bench_median (input_runs, pruns);

  /* our logits, for the comparison with PyTorch's */
  g_autoptr (GPtrArray) ours = g_ptr_array_new_with_free_func (g_free);
  for (guint k = 0; k < n_exits; k++) {
    float *l = g_new (float, cfg->num_classes);
    if (!ranet_net_read_logits (net, k, l, error)) {
      g_free (l);
      return 1;
    }
    g_ptr_array_add (ours, l);
  }

  if (!bench_preprocess (dev, model, (guint) o->pre_runs, &pre, error))
    return 1;

  if (!o->no_torch) {
    g_autoptr (GError) terr = NULL;
    have_torch = run_torch (o, model_path, input, n_in, &torch, &terr);
    if (!have_torch)
      g_printerr ("PyTorch comparison skipped: %s\n", terr->message);
  }

  /* ---- report ---- */
  g_autoptr (GHashTable) kinds = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      kind_stats_free);
  g_autoptr (GPtrArray) kind_order = g_ptr_array_new ();
  g_autofree double *stage_prof_ms = g_new0 (double, n_exits);
  g_autofree guint *stage_layers = g_new0 (guint, n_exits);
  double total_prof_ms = input_ms;
  guint64 total_macs = ranet_graph_get_exit_macs (g, n_exits - 1);
  for (guint i = 0; i < n_layers; i++) {
    const RanetLayer *l = ranet_graph_get_layer (g, i);
    char *name = ranet_layer_get_bench_category (l);
    KindStats *ks = g_hash_table_lookup (kinds, name);
    if (ks == NULL) {
      ks = g_new0 (KindStats, 1);
      ks->name = name;
      g_hash_table_insert (kinds, ks->name, ks);
      g_ptr_array_add (kind_order, ks);
    } else {
      g_free (name);
    }
    ks->count++;
    ks->macs += l->macs;
    ks->ms += layer_ms[i];
    stage_prof_ms[l->stage] += layer_ms[i];
    stage_layers[l->stage]++;
    total_prof_ms += layer_ms[i];
  }
  stage_prof_ms[0] += input_ms;

  printf ("## %s\n\n", ranet_model_get_display_name (model));
  printf ("Device: %s. Input %ux%ux%u, %u exits, %u layers, %.1f MMACs to the last exit; "
      "load + upload + record %.0f ms. %u frames (after 3 of warm-up), every stage run; "
      "profile: median of %u runs with a barrier and a timestamp after every layer.\n\n",
      ranet_vk_device_get_name (dev), cfg->in_channels, cfg->input_h, cfg->input_w,
      n_exits, n_layers, total_macs / 1e6, t_load, frames, pruns);

  printf ("| start-up | ms |\n| --- | ---: |\n");
  printf ("| Vulkan device | %.1f |\n| model file: read, validate, fold | %.1f |\n",
      t_device, t_model);
  printf ("| net: weights, %u pipelines compiled, recordings, warm-up | %.1f |\n",
      n_pipelines, t_net);
  printf ("| the same net again on the same device (pipelines kept) | %.1f |\n\n", t_net_again);

  printf ("| device probe | measured |\n| --- | ---: |\n");
  printf ("| fp32 arithmetic peak (probe_fma) | %.1f GFLOP/s |\n", probe.peak_gflops);
  printf ("| storage-buffer copy, read + write (probe_copy) | %.2f GB/s |\n\n", probe.copy_gbs);

  printf ("| stage | layers | dispatches | MMACs | GPU median ms | GPU p99 ms | wall median ms | "
      "wall p99 ms | profiled ms | GFLOP/s (GPU median) |\n");
  printf ("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  guint total_dispatches = 0;
  for (guint k = 0; k < n_exits; k++) {
    guint64 macs = ranet_graph_get_exit_macs (g, k) - (k ? ranet_graph_get_exit_macs (g, k - 1) : 0);
    double *gv = st_gpu + (gsize) k * frames, *wv = st_wall + (gsize) k * frames;
    double gmed = bench_median (gv, frames), gp99 = bench_quantile (gv, frames, 0.99);
    double wmed = bench_median (wv, frames), wp99 = bench_quantile (wv, frames, 0.99);
    guint dispatches = ranet_net_get_stage_dispatches (net, k);
    total_dispatches += dispatches;
    printf ("| %u | %u | %u | %.2f | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f |\n", k,
        stage_layers[k] + (k == 0), dispatches, macs / 1e6, gmed, gp99, wmed, wp99,
        stage_prof_ms[k], gflops (macs, gmed));
  }
  double e2e_gmed = bench_median (e2e_gpu, frames), e2e_gp99 = bench_quantile (e2e_gpu, frames, 0.99);
  double e2e_wmed = bench_median (e2e_wall, frames), e2e_wp99 = bench_quantile (e2e_wall, frames, 0.99);
  printf ("| all | %u | %u | %.2f | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f |\n\n", n_layers + 1,
      total_dispatches, total_macs / 1e6, e2e_gmed, e2e_gp99, e2e_wmed, e2e_wp99, total_prof_ms,
      gflops (total_macs, e2e_gmed));
  printf ("Process CPU time per frame (all threads), median: %.3f ms.\n\n",
      bench_median (e2e_cpu, frames));
  printf ("Every exit as one frame (`ranet_net_run()`, %s): wall median %.3f ms, p99 %.3f ms; "
      "GPU median %.3f ms.\n\n",
      ranet_net_decides_exit_on_device (net)
      ? "one submission, the exit decided on the device" : "a submission per stage",
      bench_median (one_wall, frames), bench_quantile (one_wall, frames, 0.99), bench_median (one_gpu, frames));

  printf ("| op kind | layers | MMACs | profiled ms | share | GFLOP/s | of peak |\n");
  printf ("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  printf ("| input (tensor copy) | 1 | 0 | %.3f | %.1f%% | | |\n", input_ms,
      100.0 * input_ms / total_prof_ms);
  for (guint i = 0; i < kind_order->len; i++) {
    KindStats *ks = g_ptr_array_index (kind_order, i);
    double gf = gflops (ks->macs, ks->ms);
    if (ks->macs > 0)
      printf ("| %s | %u | %.2f | %.3f | %.1f%% | %.2f | %.1f%% |\n", ks->name, ks->count,
          ks->macs / 1e6, ks->ms, 100.0 * ks->ms / total_prof_ms, gf,
          100.0 * gf / probe.peak_gflops);
    else
      printf ("| %s | %u | 0 | %.3f | %.1f%% | | |\n", ks->name, ks->count, ks->ms,
          100.0 * ks->ms / total_prof_ms);
  }
  printf ("\n");

  if (o->layers)
    print_layers (g, layer_ms);

  printf ("| 1920x1080 RGBA frame -> %ux%ux%u input | rows copied | copy ms | "
      "dispatch GPU ms | copy + submit + wait ms |\n| --- | ---: | ---: | ---: | ---: |\n",
      cfg->in_channels, cfg->input_h, cfg->input_w);
  printf ("| whole frame | %u | %.3f | %.3f | %.3f |\n", pre.rows_total, pre.copy_full_ms,
      pre.gpu_ms, pre.wall_full_ms);
  printf ("| rows the taps read | %u | %.3f | %.3f | %.3f |\n\n", pre.rows_needed,
      pre.copy_rows_ms, pre.gpu_ms, pre.wall_rows_ms);

  if (have_torch) {
    /* The difference relative to each exit's largest logit: with random
     * weights and BatchNorm statistics the ImageNet-style model's logits run
     * into the millions, so an absolute figure alone says little. */
    double max_diff = 0.0, max_rel = 0.0;
    for (guint k = 0; k < n_exits && k < torch.logits->len; k++) {
      GArray *t = g_ptr_array_index (torch.logits, k);
      const float *l = g_ptr_array_index (ours, k);
      double exit_diff = 0.0, exit_range = 0.0;
      for (guint c = 0; c < t->len && c < cfg->num_classes; c++) {
        exit_diff = MAX (exit_diff, fabs (l[c] - g_array_index (t, double, c)));
        exit_range = MAX (exit_range, fabs (g_array_index (t, double, c)));
      }
      max_diff = MAX (max_diff, exit_diff);
      if (exit_range > 0.0)
        max_rel = MAX (max_rel, exit_diff / exit_range);
    }
    printf ("| every exit, batch 1 | ours (Vulkan) | PyTorch %s CPU, %u threads | ours / PyTorch |\n",
        torch.version, torch.threads);
    printf ("| --- | ---: | ---: | ---: |\n");
    printf ("| median ms (wall), a submission per stage | %.3f | %.3f | %.3f |\n", e2e_wmed,
        torch.median_ms, e2e_wmed / torch.median_ms);
    printf ("| median ms (wall), one frame (`ranet_net_run()`) | %.3f | %.3f | %.3f |\n",
        bench_median (one_wall, frames), torch.median_ms, bench_median (one_wall, frames) / torch.median_ms);
    printf ("| p99 ms (wall) | %.3f | %.3f | %.3f |\n", e2e_wp99, torch.p99_ms,
        e2e_wp99 / torch.p99_ms);
    printf ("| GFLOP/s | %.2f | %.2f | |\n\n", gflops (total_macs, e2e_wmed),
        gflops (total_macs, torch.median_ms));
    printf ("Largest logit difference from PyTorch over all exits: %.3g, %.2g of that exit's "
        "largest logit. PyTorch: %d runs after 3 of warm-up.\n\n", max_diff, max_rel, o->torch_runs);
  }

  if (tmp_dir != NULL) {
    g_unlink (model_path);
    g_rmdir (tmp_dir);
  }
  torch_result_clear (&torch);
  return 0;
}

int
main (int argc, char **argv)
{
  Options o = {
    .python = "/usr/bin/python3",
    .tools_dir = RANET_SOURCE_ROOT "/python",
    .frames = 200,
    .profile_runs = 5,
    .torch_runs = 50,
    .pre_runs = 50,
  };
  g_autofree char *config = NULL, *model_cache = NULL, *python = NULL, *tools_dir = NULL,
      *save_input = NULL, *batch = NULL;
  GOptionEntry entries[] = {
    { "batch", 0, 0, G_OPTION_ARG_STRING, &batch,
      "Time batches of these sizes instead, e.g. 1,4,16,64 (per item against one frame)",
      "SIZES" },
    { "config", 0, 0, G_OPTION_ARG_STRING, &config,
      "A built-in model instead of a file: imagenet (random weights)", "NAME" },
    { "model-cache", 0, 0, G_OPTION_ARG_FILENAME, &model_cache,
      "With --config: use this file, writing it first if missing (default: a temporary file)",
      "FILE" },
    { "frames", 'n', 0, G_OPTION_ARG_INT, &o.frames, "Frames to time (default 200)", "N" },
    { "profile-runs", 0, 0, G_OPTION_ARG_INT, &o.profile_runs,
      "Per-layer profiling runs (default 5)", "N" },
    { "torch-runs", 0, 0, G_OPTION_ARG_INT, &o.torch_runs, "PyTorch runs (default 50)", "N" },
    { "preprocess-runs", 0, 0, G_OPTION_ARG_INT, &o.pre_runs,
      "Frame preprocessing runs (default 50)", "N" },
    { "save-input", 0, 0, G_OPTION_ARG_FILENAME, &save_input,
      "Write the input tensor (float32, CHW) to this file", "FILE" },
    { "layers", 0, 0, G_OPTION_ARG_NONE, &o.layers, "Print every layer's profiled time", NULL },
    { "no-torch", 0, 0, G_OPTION_ARG_NONE, &o.no_torch, "Skip the PyTorch comparison", NULL },
    { "python", 0, 0, G_OPTION_ARG_FILENAME, &python,
      "Python with torch (default /usr/bin/python3)", "PATH" },
    { "tools-dir", 0, 0, G_OPTION_ARG_FILENAME, &tools_dir,
      "Where bench_torch.py is (default: the source tree's python/)", "DIR" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("[MODEL.safetensors]");
  g_autoptr (GError) error = NULL;
  int rc;

  g_option_context_set_summary (ctx, "Latency, throughput and device limits of a RANet "
      "model on this machine's Vulkan device, against PyTorch on the CPU.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
    g_printerr ("ranet-bench: %s\n", error->message);
    return 2;
  }
  if (argc > 2 || o.frames < 1 || o.profile_runs < 1 || o.torch_runs < 1 || o.pre_runs < 1) {
    g_printerr ("ranet-bench: one model at most, and run counts of at least 1\n");
    return 2;
  }
  o.model = argc == 2 ? argv[1] : NULL;
  o.config = config;
  o.model_cache = model_cache;
  o.save_input = save_input;
  o.batch = batch;
  if (python)
    o.python = python;
  if (tools_dir)
    o.tools_dir = tools_dir;
  rc = run (&o, &error);
  if (rc != 0)
    g_printerr ("ranet-bench: %s\n", error ? error->message : "failed");
  return rc;
}
