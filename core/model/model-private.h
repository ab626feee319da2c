/* model-private.h: the pieces of model loading, shared by core/model only. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "model/ranet-model.h"

G_BEGIN_DECLS

/* Real models have rank <= 4; a higher rank is refused rather than carried. */
#define MODEL_MAX_DIMS 8

/* A sane header is a few hundred KiB; beyond this it is not a model file. */
#define MODEL_MAX_HEADER_BYTES ((guint64) 100 * 1024 * 1024)

/* Nesting beyond this is refused before json-glib sees it: its parser
 * recurses, and no valid header nests more than four levels. */
#define MODEL_MAX_JSON_DEPTH 32

typedef enum {
  MODEL_DTYPE_F32,
  MODEL_DTYPE_F16,
} ModelDType;

typedef struct {
  char *name;
  ModelDType dtype;
  guint n_dims;
  guint dims[MODEL_MAX_DIMS];
  guint64 n_elements;
  guint64 begin, end;   /* byte range inside the data section */
  const guint8 *raw;    /* the stored bytes, inside the container's GBytes */
  float *owned;         /* converted copy, when the stored bytes cannot be used as they are */
  const float *data;    /* float32 view: raw or owned; set by model_tensors_to_f32() */
} ModelTensor;

typedef struct {
  GBytes *bytes;
  GPtrArray *tensors;        /* ModelTensor *, sorted by name */
  GHashTable *by_name;       /* name -> ModelTensor *, borrowed from tensors */
  GHashTable *metadata;      /* key -> value strings of __metadata__; NULL when absent */
} ModelContainer;

void model_container_clear (ModelContainer *c);

/* model-safetensors.c */
gboolean model_safetensors_parse (ModelContainer *c, GBytes *bytes, const char *file, GError **error);
gboolean model_tensors_to_f32 (ModelContainer *c, const char *file, GError **error);

/* model-json.c */
/* "an integer", "a list", ...: a JSON value's kind, for error messages. */
const char *model_json_type_name (JsonNode *node);
JsonNode *model_json_parse (const char *data, gsize len, const char *file, const char *what,
                            RanetModelError code, GError **error);

/* model-metadata.c */
typedef struct {
  RanetConfig config;
  RanetPreprocess preprocess;
  char *resize;
  GStrv labels;
  guint n_exits;
  double *exit_macs;
  double *op_values;    /* thresholds and exit fractions of every operating point */
  RanetOperatingPoint *ops;
  guint n_ops;
  char *card;
} ModelMetadata;

void model_metadata_clear (ModelMetadata *md);
gboolean model_metadata_parse (ModelMetadata *md, GHashTable *metadata, const char *file, GError **error);
gboolean model_metadata_parse_calibration (ModelMetadata *md, GHashTable *metadata, guint n_exits,
                                           const char *file, GError **error);

/* model-validate.c */
gboolean model_validate_tensors (ModelContainer *c, const RanetGraph *graph, const char *file, GError **error);

G_END_DECLS
