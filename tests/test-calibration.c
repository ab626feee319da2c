/* test-calibration.c: the C calibration rule against python/ranet/calibration.py.
 *
 * tests/data/calibration-thresholds.txt holds float32 confidences (many tied,
 * some exactly 1) and, for ratios from one that sends every frame out at exit
 * 0 to one that leaves the early exits none, the fractions and thresholds the
 * Python rule gives (python/make_calibration_fixture.py). The C rule must give
 * the same thresholds to the bit, and its geometric fractions the same to
 * rounding. */
#include "policy/ranet-calibration.h"

#include <math.h>
#include <stdlib.h>

#define FIXTURE RANET_SOURCE_ROOT "/tests/data/calibration-thresholds.txt"

typedef struct {
  gchar **tokens;
  guint next;
} Reader;

/* The next number of the file, comments and blank space skipped. */
static double
next_number (Reader *r)
{
  char *end;
  double v;

  while (r->tokens[r->next] != NULL && *r->tokens[r->next] == '\0')
    r->next++;
  g_assert_nonnull (r->tokens[r->next]);
  v = g_ascii_strtod (r->tokens[r->next], &end);
  g_assert_true (*end == '\0');
  r->next++;
  return v;
}

static Reader
read_fixture (void)
{
  g_autofree gchar *text = NULL;
  g_autoptr (GString) numbers = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  Reader r = { 0 };

  g_assert_true (g_file_get_contents (FIXTURE, &text, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '#')
      g_string_append_printf (numbers, "%s ", lines[i]);
  r.tokens = g_strsplit_set (numbers->str, " \t", -1);
  return r;
}

static void
test_matches_python (void)
{
  Reader r = read_fixture ();
  guint n_exits = (guint) next_number (&r), n_frames = (guint) next_number (&r), n_cases;
  g_autofree float *conf = g_new (float, (gsize) n_exits * n_frames);
  g_autofree double *fractions = g_new (double, n_exits);
  g_autofree double *expected_fractions = g_new (double, n_exits);
  g_autofree double *expected = g_new (double, n_exits);
  g_autofree double *thresholds = g_new (double, n_exits);
  guint saturated = 0;

  for (gsize i = 0; i < (gsize) n_exits * n_frames; i++)
    conf[i] = (float) next_number (&r);
  n_cases = (guint) next_number (&r);
  g_assert_cmpuint (n_cases, >=, 5);
  for (guint c = 0; c < n_cases; c++) {
    double ratio = next_number (&r);

    for (guint k = 0; k < n_exits; k++)
      expected_fractions[k] = next_number (&r);
    for (guint k = 0; k < n_exits; k++)
      expected[k] = next_number (&r);
    ranet_calibration_geometric_fractions (ratio, n_exits, fractions);
    for (guint k = 0; k < n_exits; k++)
      g_assert_cmpfloat_with_epsilon (fractions[k], expected_fractions[k], 1e-12);
    /* the Python fractions, so that a rounding of q_k x N lands the same */
    ranet_calibration_find_thresholds (conf, n_exits, n_frames, expected_fractions, thresholds);
    for (guint k = 0; k < n_exits; k++) {
      if (thresholds[k] != expected[k])
        g_error ("ratio %g, exit %u: threshold %.9g, the Python rule's %.9g", ratio, k,
            thresholds[k], expected[k]);
      saturated += k + 1 < n_exits && expected[k] == 1.0;
    }
  }
  /* the fixture reaches the rule's edge cases: exits given no frame */
  g_assert_cmpuint (saturated, >, 0);
  g_strfreev (r.tokens);
}

/* The point of the rule: on the frames it was computed from, exit k takes
 * round(q_k N) of them, give or take the ties (none here). */
static void
test_realises_fractions (void)
{
  enum { K = 3, N = 1000 };
  g_autofree float *conf = g_new (float, K * N);
  double fractions[K], thresholds[K];
  guint taken[K] = { 0 };
  GRand *rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < K * N; i++)
    conf[i] = (float) g_rand_double (rand);
  ranet_calibration_geometric_fractions (2.0, K, fractions);
  ranet_calibration_find_thresholds (conf, K, N, fractions, thresholds);
  g_assert_cmpfloat (thresholds[K - 1], ==, -1.0);
  for (guint i = 0; i < N; i++) {
    guint k = 0;
    while (k + 1 < K && conf[k * N + i] < thresholds[k])
      k++;
    taken[k]++;
  }
  for (guint k = 0; k < K; k++)
    g_assert_cmpuint (taken[k], ==, (guint) floor (fractions[k] * N + 0.5));
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/calibration/matches-python", test_matches_python);
  g_test_add_func ("/calibration/realises-fractions", test_realises_fractions);
  return g_test_run ();
}
