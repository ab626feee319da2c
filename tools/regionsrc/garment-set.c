/* garment-set.c: the images and labels files, checked against each other. */
#include "garment-set.h"

#include <gio/gio.h>

static const gchar *const class_names[GARMENT_SET_N_CLASSES] = {
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
};

GarmentSet *
garment_set_new (IdxFile *images, IdxFile *labels, GError **error)
{
  g_autoptr (IdxFile) owned_images = images;
  g_autoptr (IdxFile) owned_labels = labels;
  GarmentSet *set;

  g_return_val_if_fail (images != NULL && images->n_dims == 3, NULL);
  g_return_val_if_fail (labels != NULL && labels->n_dims == 1, NULL);

  if (images->dims[0] != labels->dims[0]) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "%u images but %u labels: the two files are not of the same set",
        images->dims[0], labels->dims[0]);
    return NULL;
  }
  for (gsize i = 0; i < labels->n_bytes; i++) {
    if (labels->data[i] >= GARMENT_SET_N_CLASSES) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
          "label %u of image %" G_GSIZE_FORMAT " is not a Fashion-MNIST class (0 to %d)",
          labels->data[i], i, GARMENT_SET_N_CLASSES - 1);
      return NULL;
    }
  }

  set = g_new0 (GarmentSet, 1);
  set->n_images = images->dims[0];
  set->image_height = images->dims[1];
  set->image_width = images->dims[2];
  set->images = g_steal_pointer (&owned_images);
  set->labels = g_steal_pointer (&owned_labels);
  return set;
}

void
garment_set_free (GarmentSet *set)
{
  if (set == NULL)
    return;
  idx_file_free (set->images);
  idx_file_free (set->labels);
  g_free (set);
}

const guint8 *
garment_set_image (const GarmentSet *set, guint index)
{
  g_return_val_if_fail (index < set->n_images, NULL);
  return set->images->data + (gsize) index * set->image_width * set->image_height;
}

guint
garment_set_label (const GarmentSet *set, guint index)
{
  g_return_val_if_fail (index < set->n_images, 0);
  return set->labels->data[index];
}

const gchar *
garment_set_class_name (guint label)
{
  g_return_val_if_fail (label < GARMENT_SET_N_CLASSES, NULL);
  return class_names[label];
}
