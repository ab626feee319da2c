/* ranet-vk.h: the small Vulkan compute layer under libranet.
 *
 * One RanetVkDevice per process is the intended use (it is reference counted and
 * thread safe for submission); buffers, pipelines and command recordings hang off it.
 * Everything here reports failures as GErrors in the RANET_VK_ERROR domain; nothing
 * aborts on a driver error.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RANET_VK_ERROR (ranet_vk_error_quark ())
GQuark ranet_vk_error_quark (void);

/**
 * RanetVkError:
 * @RANET_VK_ERROR_NO_DEVICE: no Vulkan implementation or no device with a compute queue
 * @RANET_VK_ERROR_DEVICE_NOT_FOUND: the device selector matched no device
 * @RANET_VK_ERROR_INIT: instance or device creation failed
 * @RANET_VK_ERROR_OUT_OF_MEMORY: a device or host allocation failed
 * @RANET_VK_ERROR_DEVICE_LOST: the device was lost during a submission
 * @RANET_VK_ERROR_INVALID: bad arguments (e.g. malformed SPIR-V, size 0)
 * @RANET_VK_ERROR_FAILED: any other Vulkan failure; the message names the call and VkResult
 */
typedef enum {
  RANET_VK_ERROR_NO_DEVICE,
  RANET_VK_ERROR_DEVICE_NOT_FOUND,
  RANET_VK_ERROR_INIT,
  RANET_VK_ERROR_OUT_OF_MEMORY,
  RANET_VK_ERROR_DEVICE_LOST,
  RANET_VK_ERROR_INVALID,
  RANET_VK_ERROR_FAILED,
} RanetVkError;

typedef struct _RanetVkDevice RanetVkDevice;
typedef struct _RanetVkBuffer RanetVkBuffer;
typedef struct _RanetVkPipeline RanetVkPipeline;
typedef struct _RanetVkCommands RanetVkCommands;

/* ---- device ---- */

/**
 * ranet_vk_device_new:
 * @selector: (nullable): a device index ("0", "1", ...) or a case-insensitive
 *   substring of the device name. %NULL or "" means: the environment variable
 *   RANET_VULKAN_DEVICE if set, else automatic choice (discrete GPU, then
 *   integrated, virtual, other, and a CPU implementation such as lavapipe last).
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a new device, or %NULL with @error set.
 */
RanetVkDevice *ranet_vk_device_new (const char *selector, GError **error);

/**
 * ranet_vk_device_get_shared:
 * @selector: (nullable): as for ranet_vk_device_new()
 * @error: return location for a #GError
 *
 * Returns one device per distinct selector for the whole process, creating it on
 * first use; later callers get a new reference to the same device. The
 * device, with the pipelines it compiled, stays for the life of the process
 * once made (unless it is lost), so that a pipeline started again or a second
 * element does not compile every shader again.
 *
 * Returns: (transfer full): the device, or %NULL with @error set.
 */
RanetVkDevice *ranet_vk_device_get_shared (const char *selector, GError **error);

/**
 * RanetVkSelectorSource:
 * @RANET_VK_SELECTOR_AUTOMATIC: no selector: the automatic choice
 * @RANET_VK_SELECTOR_ARGUMENT: the selector the caller gave (a property, an option)
 * @RANET_VK_SELECTOR_ENVIRONMENT: none given: RANET_VULKAN_DEVICE's
 */
typedef enum {
  RANET_VK_SELECTOR_AUTOMATIC,
  RANET_VK_SELECTOR_ARGUMENT,
  RANET_VK_SELECTOR_ENVIRONMENT,
} RanetVkSelectorSource;

/**
 * ranet_vk_device_selector_source:
 * @selector: (nullable): as for ranet_vk_device_new()
 * @effective: (out) (optional) (transfer none): the selector the device is
 *   chosen by (the environment's value is valid until the environment
 *   changes), %NULL for the automatic choice
 *
 * Where ranet_vk_device_new (@selector) and ranet_vk_device_get_shared()
 * take the device choice from, for messages that say so. The library's own
 * errors and its debug line on the device in use name it already.
 *
 * Returns: the source of the choice.
 */
RanetVkSelectorSource ranet_vk_device_selector_source (const char *selector,
    const char **effective);

RanetVkDevice *ranet_vk_device_ref (RanetVkDevice *dev);
void ranet_vk_device_unref (RanetVkDevice *dev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RanetVkDevice, ranet_vk_device_unref)

/* The physical device's name as the driver reports it (e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"). */
const char *ranet_vk_device_get_name (RanetVkDevice *dev);
/* TRUE for a CPU implementation (VK_PHYSICAL_DEVICE_TYPE_CPU). */
gboolean ranet_vk_device_is_cpu (RanetVkDevice *dev);
/* TRUE when the Khronos validation layer is active on this device's instance. */
gboolean ranet_vk_device_has_validation (RanetVkDevice *dev);

/**
 * RanetVkValidation:
 * @RANET_VK_VALIDATION_OFF: no validation layer
 * @RANET_VK_VALIDATION_ON: the Khronos validation layer (RANET_VK_VALIDATION
 *   set to anything but "", "0" and "sync")
 * @RANET_VK_VALIDATION_SYNC: the layer with synchronisation validation too
 *   (RANET_VK_VALIDATION=sync)
 */
typedef enum {
  RANET_VK_VALIDATION_OFF,
  RANET_VK_VALIDATION_ON,
  RANET_VK_VALIDATION_SYNC,
} RanetVkValidation;

/**
 * RanetVkFusion:
 * @RANET_VK_FUSION_AUTO: where the device is a CPU implementation
 * @RANET_VK_FUSION_OFF: never: an op per layer
 * @RANET_VK_FUSION_ON: wherever the layers allow it
 *
 * When a net records runs of layers as one fused op.
 */
typedef enum {
  RANET_VK_FUSION_AUTO,
  RANET_VK_FUSION_OFF,
  RANET_VK_FUSION_ON,
} RanetVkFusion;

/**
 * RanetVkOptions:
 * @validation: the Khronos validation layer (RANET_VK_VALIDATION: unset,
 *   "" or "0" off; "sync" with synchronisation checks; anything else on)
 * @texel_buffers: where the device is a CPU implementation, ops read their
 *   inputs and weights through texel buffers (RANET_TEXEL_BUFFERS=0: never)
 * @subgroup_shuffle: convolutions share weight loads through subgroup
 *   shuffles where the device has them (RANET_SUBGROUP_SHUFFLE=0: never)
 * @conditional_stages: a frame is one submission, its exit decided on the
 *   device, where the device can skip dispatches (RANET_CONDITIONAL_STAGES=0:
 *   a submission per stage)
 * @fused_layers: where runs of layers are recorded as one fused op (an
 *   exit's last convolution, linear layer and softmax):
 *   %RANET_VK_FUSION_AUTO on CPU implementations, where each dispatch costs
 *   a wake-up of the driver's threads (measured: docs/PERFORMANCE.md), or
 *   always or never (RANET_FUSED_LAYERS=1 or 0)
 * @fail_alloc: tests: the Nth device-memory allocation from the first
 *   device's creation on fails (RANET_VK_FAIL_ALLOC; 0: none)
 * @fail_submit: tests: the Nth submission fails as a lost device
 *   (RANET_VK_FAIL_SUBMIT; 0: none)
 * @driver_threads_set: LP_NUM_THREADS, lavapipe's own variable, is set (the
 *   library only reports it)
 *
 * Every run-time switch of the library. A device takes its options when it is
 * made, from the environment unless the caller gives them
 * (ranet_vk_device_new_full()), and keeps them: the environment is read in one
 * place, at one time.
 */
typedef struct {
  RanetVkValidation validation;
  gboolean texel_buffers;
  gboolean subgroup_shuffle;
  gboolean conditional_stages;
  RanetVkFusion fused_layers;
  guint fail_alloc;
  guint fail_submit;
  gboolean driver_threads_set;
} RanetVkOptions;

/* The defaults: no validation, every variant where the device allows it, no
 * faults. */
void ranet_vk_options_init (RanetVkOptions *options);
/* The defaults, changed by the environment variables named in #RanetVkOptions. */
void ranet_vk_options_from_environment (RanetVkOptions *options);
/**
 * ranet_vk_device_new_full:
 * @selector: (nullable): as for ranet_vk_device_new()
 * @options: (nullable): the device's options; %NULL: from the environment
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a new device, or %NULL with @error set.
 */
RanetVkDevice *ranet_vk_device_new_full (const char *selector, const RanetVkOptions *options,
    GError **error);
/* The options @dev was made with. */
const RanetVkOptions *ranet_vk_device_get_options (RanetVkDevice *dev);
/* The level in effect on @dev: the one requested when it was made, or OFF
 * where the layer is not installed (a message says so). */
RanetVkValidation ranet_vk_device_get_validation (RanetVkDevice *dev);
/* Number of validation-layer errors reported so far (0 when validation is
 * off). Destroying a device that counted any reports them as a critical,
 * which fails a test program. */
guint ranet_vk_device_get_validation_error_count (RanetVkDevice *dev);
/* The compute queue's subgroup size (1 when unknown); shaders may size
 * workgroups from it. */
guint ranet_vk_device_get_subgroup_size (RanetVkDevice *dev);
/* TRUE when compute shaders may use basic and shuffle subgroup operations. */
gboolean ranet_vk_device_has_subgroup_shuffle (RanetVkDevice *dev);
/* The largest buffer a dispatch may bind (maxStorageBufferRange), in bytes. */
gsize ranet_vk_device_get_max_storage_buffer_range (RanetVkDevice *dev);
/* TRUE when dispatches can be made conditional on a value in a buffer
 * (VK_EXT_conditional_rendering, enabled where supported unless
 * RANET_CONDITIONAL_STAGES=0 is in the environment). */
gboolean ranet_vk_device_has_conditional_dispatch (RanetVkDevice *dev);
/* The alignment, in bytes, of a #RanetVkBinding's offset that suits storage
 * and texel-buffer bindings alike (at least 16: a vec4 texel). */
gsize ranet_vk_device_get_binding_alignment (RanetVkDevice *dev);
/* The most floats a texel-buffer binding reaches (maxTexelBufferElements). */
guint64 ranet_vk_device_get_max_texel_buffer_elements (RanetVkDevice *dev);
/* maxComputeWorkGroupInvocations: the largest workgroup size. */
guint ranet_vk_device_get_max_workgroup_invocations (RanetVkDevice *dev);
/* maxComputeSharedMemorySize: the most bytes of shared memory a compute
 * shader may declare. */
gsize ranet_vk_device_get_max_shared_memory (RanetVkDevice *dev);
/* maxComputeWorkGroupCount[@dim] (@dim 0, 1 or 2): the most workgroups a
 * dispatch may have in that dimension (at least 65535). */
guint ranet_vk_device_get_max_workgroup_count (RanetVkDevice *dev, guint dim);
/* TRUE when the compute queue supports timestamps; otherwise
 * ranet_vk_commands_get_elapsed_ns() returns 0. */
gboolean ranet_vk_device_has_timestamps (RanetVkDevice *dev);

/* Pipelines the device has compiled and keeps: a pipeline asked for again
 * with the same SPIR-V and parameters is not compiled again. */
guint ranet_vk_device_get_n_pipelines (RanetVkDevice *dev);
/* Writes the driver's pipeline cache to the user's cache directory
 * (XDG_CACHE_HOME/ranet-gst/) when pipelines were compiled since it was read
 * or last written and the driver keeps compiled code in it; failures only
 * cost the next run time. Called once a net's pipelines exist. */
void ranet_vk_device_save_pipeline_cache (RanetVkDevice *dev);

/**
 * ranet_vk_list_devices:
 * @error: return location for a #GError
 *
 * Lists the devices with a compute queue in the order of automatic choice;
 * the index in each line is the one ranet_vk_device_new() accepts.
 *
 * Returns: (transfer full) (element-type utf8): "index: name (type)" for each
 *   device, or %NULL with @error set.
 */
GPtrArray *ranet_vk_list_devices (GError **error);

/* ---- buffers ---- */

/**
 * RanetVkBufferKind:
 * @RANET_VK_BUFFER_DEVICE: device-local storage (weights, activations); may or
 *   may not be host-visible, use ranet_vk_buffer_upload()/download()
 * @RANET_VK_BUFFER_HOST: host-visible, host-coherent and persistently mapped,
 *   for per-frame input and output; device-local too where the device offers it
 */
typedef enum {
  RANET_VK_BUFFER_DEVICE,
  RANET_VK_BUFFER_HOST,
} RanetVkBufferKind;

RanetVkBuffer *ranet_vk_buffer_new (RanetVkDevice *dev, gsize size,
    RanetVkBufferKind kind, GError **error);
void ranet_vk_buffer_free (RanetVkBuffer *buf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RanetVkBuffer, ranet_vk_buffer_free)
gsize ranet_vk_buffer_get_size (RanetVkBuffer *buf);
/* The persistent mapping, or NULL when the buffer is not host-visible. */
gpointer ranet_vk_buffer_get_mapped (RanetVkBuffer *buf);
/* Copy between host memory and any buffer (through a staging buffer when needed). */
gboolean ranet_vk_buffer_upload (RanetVkBuffer *buf, gsize offset,
    gconstpointer data, gsize size, GError **error);
gboolean ranet_vk_buffer_download (RanetVkBuffer *buf, gsize offset,
    gpointer data, gsize size, GError **error);

/* ---- compute pipelines ---- */

/**
 * ranet_vk_pipeline_new:
 * @spirv: SPIR-V words of a compute shader with entry point "main"
 * @n_buffers: number of storage buffers, bound at set 0, bindings 0..n_buffers-1
 * @spec: (array length=n_spec): value of specialization constant i is spec[i]
 *   (32-bit; ints, uints and floats by bit pattern)
 * @push_size: size in bytes of the push-constant block (0 for none)
 *
 * Returns: (transfer full): the pipeline, or %NULL with @error set.
 */
RanetVkPipeline *ranet_vk_pipeline_new (RanetVkDevice *dev,
    const guint32 *spirv, gsize spirv_size_bytes, guint n_buffers,
    const guint32 *spec, guint n_spec, guint push_size, GError **error);
/**
 * ranet_vk_pipeline_new_named:
 * @shader_name: an embedded shader: a name in the table of shaders/meson.build
 *
 * As ranet_vk_pipeline_new(), with the SPIR-V embedded at build time.
 * An unknown name gives %RANET_VK_ERROR_INVALID.
 *
 * Returns: (transfer full): the pipeline, or %NULL with @error set.
 */
RanetVkPipeline *ranet_vk_pipeline_new_named (RanetVkDevice *dev,
    const char *shader_name, guint n_buffers,
    const guint32 *spec, guint n_spec, guint push_size, GError **error);
/**
 * ranet_vk_pipeline_new_named_full:
 * @texel_mask: bit i set: binding i is a uniform texel buffer of 32-bit floats
 *   (`uniform samplerBuffer`, read with texelFetch().r) instead of a storage
 *   buffer. The dispatch binds the same #RanetVkBuffer either way.
 * @vec4_mask: bit i set: binding i is a uniform texel buffer of vec4s of
 *   32-bit floats (R32G32B32A32_SFLOAT, texelFetch() returns texel i, floats
 *   4i to 4i + 3). No binding may be in both masks.
 *
 * As ranet_vk_pipeline_new_named(), with some bindings read as texel buffers:
 * on some implementations (lavapipe) a texel fetch at an address that differs
 * between invocations costs much less than a storage-buffer load.
 *
 * Returns: (transfer full): the pipeline, or %NULL with @error set.
 */
RanetVkPipeline *ranet_vk_pipeline_new_named_full (RanetVkDevice *dev,
    const char *shader_name, guint n_buffers, guint32 texel_mask, guint32 vec4_mask,
    const guint32 *spec, guint n_spec, guint push_size, GError **error);
void ranet_vk_pipeline_free (RanetVkPipeline *pipe);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RanetVkPipeline, ranet_vk_pipeline_free)

/* ---- command recording ----
 * A RanetVkCommands is recorded once (begin, dispatches, barriers, timestamps,
 * end) and submitted as many times as wanted. A dispatch binds buffers whole
 * or a window of each; element offsets within them travel in specialization
 * or push constants. The recording puts a barrier wherever a dispatch touches
 * bytes an earlier one wrote, or writes bytes one read, since the last
 * barrier (see docs/SYNCHRONISATION.md), and one at its start, which orders
 * it after earlier submissions.
 */

/**
 * RanetVkBinding:
 * @buffer: the buffer
 * @offset: first byte the binding sees; a multiple of
 *   ranet_vk_device_get_binding_alignment()
 * @size: bytes from @offset, or 0 for the rest of the buffer
 *
 * What one binding of a dispatch sees. The shader indexes from @offset, and
 * the bytes bound are what the recording orders the dispatch by: bind only
 * what the shader reads or writes, so that independent dispatches may
 * overlap on the device.
 */
typedef struct {
  RanetVkBuffer *buffer;
  gsize offset;
  gsize size;
} RanetVkBinding;

RanetVkCommands *ranet_vk_commands_new (RanetVkDevice *dev,
    guint max_timestamps, GError **error);
void ranet_vk_commands_free (RanetVkCommands *cmds);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RanetVkCommands, ranet_vk_commands_free)

/* Discards any previous recording and starts a new one. */
gboolean ranet_vk_commands_begin (RanetVkCommands *cmds, GError **error);
void ranet_vk_commands_dispatch_bindings (RanetVkCommands *cmds, RanetVkPipeline *pipe,
    const RanetVkBinding *bindings, guint n_bindings,
    gconstpointer push, guint push_size,
    guint groups_x, guint groups_y, guint groups_z);
void ranet_vk_commands_dispatch (RanetVkCommands *cmds, RanetVkPipeline *pipe,
    RanetVkBuffer *const *buffers, guint n_buffers,
    gconstpointer push, guint push_size,
    guint groups_x, guint groups_y, guint groups_z);
void ranet_vk_commands_dispatch_bindings_indirect (RanetVkCommands *cmds,
    RanetVkPipeline *pipe, const RanetVkBinding *bindings, guint n_bindings,
    gconstpointer push, guint push_size, RanetVkBuffer *args, gsize args_offset);
/* Makes every earlier shader write visible to every later shader read/write,
 * whether or not they touch the same bytes (profiling, tests). */
void ranet_vk_commands_barrier (RanetVkCommands *cmds);
/* From here to ranet_vk_commands_end_conditional(), dispatches run only if
 * the 32-bit value at byte @offset (a multiple of 4) of @buf is not zero when
 * the device reaches this point; it may have been written by an earlier
 * dispatch of the same recording. Needs
 * ranet_vk_device_has_conditional_dispatch(); blocks do not nest. */
void ranet_vk_commands_begin_conditional (RanetVkCommands *cmds, RanetVkBuffer *buf,
    gsize offset);
void ranet_vk_commands_end_conditional (RanetVkCommands *cmds);
/* Barriers in the current or last recording between dispatches, the one
 * at its start included (the one before the host reads its results is
 * not counted). */
guint ranet_vk_commands_get_n_barriers (RanetVkCommands *cmds);
/* Dispatches in the current or last recording, direct and indirect. */
guint ranet_vk_commands_get_n_dispatches (RanetVkCommands *cmds);
/* Writes timestamp @index (< max_timestamps) after all earlier work completes. */
void ranet_vk_commands_timestamp (RanetVkCommands *cmds, guint index);
gboolean ranet_vk_commands_end (RanetVkCommands *cmds, GError **error);

/* Submits the recording and waits for it to finish. Thread safe. */
gboolean ranet_vk_commands_submit (RanetVkCommands *cmds, GError **error);
/* Split form: submit now, wait later (one submission in flight per object). */
gboolean ranet_vk_commands_submit_async (RanetVkCommands *cmds, GError **error);
gboolean ranet_vk_commands_wait (RanetVkCommands *cmds, GError **error);

/**
 * ranet_vk_commands_get_elapsed_ns:
 * Time between timestamps @from and @to of the last completed submission,
 * in nanoseconds (converted with timestampPeriod); 0 when the device has no
 * timestamp support on its compute queue.
 */
guint64 ranet_vk_commands_get_elapsed_ns (RanetVkCommands *cmds, guint from, guint to);

G_END_DECLS
