/* garment-set.h: the Fashion-MNIST images and their labels, checked against
 * each other, as ranetregionsrc draws them into frames. */
#pragma once

#include "../idx-file.h"

G_BEGIN_DECLS

/* Debian's dataset-fashion-mnist */
#define GARMENT_SET_DEFAULT_IMAGES "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
#define GARMENT_SET_DEFAULT_LABELS "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"
#define GARMENT_SET_PACKAGE "dataset-fashion-mnist"

#define GARMENT_SET_N_CLASSES 10

/**
 * GarmentSet:
 * @n_images: how many images, each with its label
 * @image_width: the columns of every image
 * @image_height: the rows of every image
 *
 * Images are unsigned bytes, row-major, 0 black; labels 0 to
 * %GARMENT_SET_N_CLASSES - 1.
 */
typedef struct {
  guint n_images;
  guint image_width;
  guint image_height;
  /*< private >*/
  IdxFile *images;
  IdxFile *labels;
} GarmentSet;

/**
 * garment_set_new:
 * @images: (transfer full): a 3-dimensional IDX file (count, rows, columns)
 * @labels: (transfer full): a 1-dimensional IDX file, one label per image
 * @error: return location for a #GError
 *
 * Takes the two files once they agree: as many labels as images, every
 * label a Fashion-MNIST class.
 *
 * Returns: (transfer full): the set, or %NULL with @error set (both files
 * are freed then).
 */
GarmentSet *garment_set_new (IdxFile *images, IdxFile *labels, GError **error);
void garment_set_free (GarmentSet *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GarmentSet, garment_set_free)

/* The @index-th image's bytes, image_width * image_height of them. */
const guint8 *garment_set_image (const GarmentSet *set, guint index);
guint garment_set_label (const GarmentSet *set, guint index);

/**
 * garment_set_class_name:
 * @label: 0 to %GARMENT_SET_N_CLASSES - 1
 *
 * Returns: the class's name as Fashion-MNIST gives it ("T-shirt/top", ...,
 * "Ankle boot").
 */
const gchar *garment_set_class_name (guint label);

G_END_DECLS
