/* vk-spirv.c: which bindings of a compute shader it reads and which it writes,
 * read from the SPIR-V itself.
 *
 * The recording orders dispatches by what they access (vk-commands.c), so the
 * access of every binding must be what the shader really does, not what its
 * caller believes. GLSL's `readonly` and `writeonly` on a buffer block become
 * NonWritable and NonReadable decorations on the block's members (or on the
 * variable); a `uniform samplerBuffer` is a sampled image, which a shader
 * cannot write. Anything this reader does not recognise counts as both read
 * and written: a barrier too many costs time, one too few corrupts results. */
#include "vk-private.h"

#include <string.h>

enum {
  OP_TYPE_IMAGE = 25,
  OP_TYPE_SAMPLED_IMAGE = 27,
  OP_TYPE_STRUCT = 30,
  OP_TYPE_POINTER = 32,
  OP_VARIABLE = 59,
  OP_DECORATE = 71,
  OP_MEMBER_DECORATE = 72,
};

enum {
  DECORATION_NON_WRITABLE = 24,
  DECORATION_NON_READABLE = 25,
  DECORATION_BINDING = 33,
  DECORATION_DESCRIPTOR_SET = 34,
};

#define IMAGE_SAMPLED 1u    /* OpTypeImage's Sampled operand: used with a sampler */
#define NO_ID G_MAXUINT32

typedef struct {
  guint32 opcode;           /* of the instruction that defines the id, 0: none */
  guint32 type;             /* pointer: pointee; sampled image: image; variable: its pointer type */
  guint32 image_sampled;    /* image: its Sampled operand */
  guint32 binding, set;     /* NO_ID until decorated */
  guint n_members;          /* struct */
  guint n_members_non_writable, n_members_non_readable;
  gboolean non_writable, non_readable;
} IdInfo;

/* Bit i of @read and @write set: the shader reads, writes binding i of
 * set 0. FALSE when @spirv is not a module this reader can walk (it was
 * checked for size and magic before). */
gboolean
ranet_vk_spirv_binding_access (const guint32 *spirv, gsize n_words, guint32 *read,
    guint32 *write)
{
  guint32 bound;
  IdInfo *ids;

  *read = *write = 0;
  if (n_words < 5)
    return FALSE;
  bound = spirv[3];
  if (bound == 0 || bound > (1u << 22))
    return FALSE;
  ids = g_new0 (IdInfo, bound);
  for (guint32 i = 0; i < bound; i++)
    ids[i].binding = ids[i].set = NO_ID;

  for (gsize at = 5; at < n_words;) {
    guint32 n = spirv[at] >> 16, op = spirv[at] & 0xffffu;
    const guint32 *w = spirv + at;

    if (n == 0 || n > n_words - at) {
      g_free (ids);
      return FALSE;
    }
    switch (op) {
      case OP_TYPE_IMAGE:
        if (n >= 9 && w[1] < bound) {
          ids[w[1]].opcode = op;
          ids[w[1]].image_sampled = w[7];
        }
        break;
      case OP_TYPE_SAMPLED_IMAGE:
        if (n >= 3 && w[1] < bound) {
          ids[w[1]].opcode = op;
          ids[w[1]].type = w[2];
        }
        break;
      case OP_TYPE_STRUCT:
        if (w[1] < bound) {
          ids[w[1]].opcode = op;
          ids[w[1]].n_members = n - 2;
        }
        break;
      case OP_TYPE_POINTER:
      case OP_VARIABLE:
        /* pointer: result, storage class, pointee; variable: type, result */
        if (n >= 4) {
          guint32 id = op == OP_TYPE_POINTER ? w[1] : w[2];
          if (id < bound) {
            ids[id].opcode = op;
            ids[id].type = op == OP_TYPE_POINTER ? w[3] : w[1];
          }
        }
        break;
      case OP_DECORATE:
        if (n >= 3 && w[1] < bound) {
          IdInfo *t = &ids[w[1]];
          if (w[2] == DECORATION_BINDING && n >= 4)
            t->binding = w[3];
          else if (w[2] == DECORATION_DESCRIPTOR_SET && n >= 4)
            t->set = w[3];
          else if (w[2] == DECORATION_NON_WRITABLE)
            t->non_writable = TRUE;
          else if (w[2] == DECORATION_NON_READABLE)
            t->non_readable = TRUE;
        }
        break;
      case OP_MEMBER_DECORATE:
        if (n >= 4 && w[1] < bound) {
          if (w[3] == DECORATION_NON_WRITABLE)
            ids[w[1]].n_members_non_writable++;
          else if (w[3] == DECORATION_NON_READABLE)
            ids[w[1]].n_members_non_readable++;
        }
        break;
      default:
        break;
    }
    at += n;
  }

  for (guint32 id = 0; id < bound; id++) {
    const IdInfo *v = &ids[id];
    const IdInfo *ptr, *t;
    gboolean reads = TRUE, writes = TRUE;

    if (v->opcode != OP_VARIABLE || v->binding >= 32 || (v->set != 0 && v->set != NO_ID))
      continue;
    ptr = v->type < bound ? &ids[v->type] : NULL;
    t = ptr != NULL && ptr->opcode == OP_TYPE_POINTER && ptr->type < bound
        ? &ids[ptr->type] : NULL;
    if (t != NULL && t->opcode == OP_TYPE_SAMPLED_IMAGE)
      writes = FALSE;
    else if (t != NULL && t->opcode == OP_TYPE_IMAGE && t->image_sampled == IMAGE_SAMPLED)
      writes = FALSE;
    else if (t != NULL && t->opcode == OP_TYPE_STRUCT && t->n_members > 0) {
      /* a member decorated twice counts once too many; only whole blocks
       * are marked read-only or write-only by GLSL anyway */
      if (t->n_members_non_writable >= t->n_members)
        writes = FALSE;
      if (t->n_members_non_readable >= t->n_members)
        reads = FALSE;
    }
    if (v->non_writable)
      writes = FALSE;
    if (v->non_readable)
      reads = FALSE;
    if (reads)
      *read |= 1u << v->binding;
    if (writes)
      *write |= 1u << v->binding;
  }
  g_free (ids);
  return TRUE;
}
