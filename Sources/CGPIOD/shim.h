// One version-neutral interface over libgpiod 1.6 (v1 API: Debian 12, Raspberry Pi OS bookworm) and libgpiod 2.x
// (v2 API: Debian 13, Raspberry Pi OS trixie). There is no version macro: the v1 header defines
// GPIOD_LINE_BULK_MAX_LINES and the v2 header does not.
//
// Every function returns NULL or -1 and sets errno on failure; GPIOChip.swift turns that into typed errors.

#ifndef HUBKIOSK_CGPIOD_SHIM_H
#define HUBKIOSK_CGPIOD_SHIM_H

#include <errno.h>
#include <gpiod.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef GPIOD_LINE_BULK_MAX_LINES
#define HK_GPIOD_V1 1
#define HK_GPIOD_MAX_LINES GPIOD_LINE_BULK_MAX_LINES
#else
#define HK_GPIOD_V2 1
#define HK_GPIOD_MAX_LINES 64
#endif

/// 1 when built against the libgpiod 1.x API, 2 for 2.x.
static inline int hk_gpiod_api_version(void) {
#ifdef HK_GPIOD_V1
    return 1;
#else
    return 2;
#endif
}

/// Whether the kernel debounces input lines (v2 only; v1 debounces in software).
static inline int hk_gpiod_kernel_debounce(void) {
#ifdef HK_GPIOD_V1
    return 0;
#else
    return 1;
#endif
}

// MARK: - Chips

typedef struct hk_chip_info {
    char name[64];
    char label[64];
    unsigned int lines;
} hk_chip_info;

static inline struct gpiod_chip *hk_chip_open(const char *path) { return gpiod_chip_open(path); }

static inline void hk_chip_close(struct gpiod_chip *chip) { gpiod_chip_close(chip); }

static inline void hk_copy(char *dest, size_t size, const char *src) {
    if (size == 0) return;
    if (src == NULL) src = "";
    strncpy(dest, src, size - 1);
    dest[size - 1] = '\0';
}

static inline int hk_chip_get_info(struct gpiod_chip *chip, hk_chip_info *out) {
#ifdef HK_GPIOD_V1
    hk_copy(out->name, sizeof out->name, gpiod_chip_name(chip));
    hk_copy(out->label, sizeof out->label, gpiod_chip_label(chip));
    out->lines = gpiod_chip_num_lines(chip);
    return 0;
#else
    struct gpiod_chip_info *info = gpiod_chip_get_info(chip);
    if (info == NULL) return -1;
    hk_copy(out->name, sizeof out->name, gpiod_chip_info_get_name(info));
    hk_copy(out->label, sizeof out->label, gpiod_chip_info_get_label(info));
    out->lines = (unsigned int)gpiod_chip_info_get_num_lines(info);
    gpiod_chip_info_free(info);
    return 0;
#endif
}

/// The offset of the line called `name` on `chip`, or -1 (errno ENOENT when there is none).
static inline int hk_chip_find_line(struct gpiod_chip *chip, const char *name) {
#ifdef HK_GPIOD_V1
    struct gpiod_line *line = gpiod_chip_find_line(chip, name);
    if (line == NULL) {
        if (errno == 0) errno = ENOENT;
        return -1;
    }
    return (int)gpiod_line_offset(line);
#else
    return gpiod_chip_get_line_offset_from_name(chip, name);
#endif
}

typedef struct hk_line_info {
    char name[64];
    char consumer[64];
    int used;
} hk_line_info;

static inline int hk_chip_get_line_info(struct gpiod_chip *chip, unsigned int offset, hk_line_info *out) {
#ifdef HK_GPIOD_V1
    struct gpiod_line *line = gpiod_chip_get_line(chip, offset);
    if (line == NULL) return -1;
    hk_copy(out->name, sizeof out->name, gpiod_line_name(line));
    hk_copy(out->consumer, sizeof out->consumer, gpiod_line_consumer(line));
    out->used = gpiod_line_is_used(line) ? 1 : 0;
    return 0;
#else
    struct gpiod_line_info *info = gpiod_chip_get_line_info(chip, offset);
    if (info == NULL) return -1;
    hk_copy(out->name, sizeof out->name, gpiod_line_info_get_name(info));
    hk_copy(out->consumer, sizeof out->consumer, gpiod_line_info_get_consumer(info));
    out->used = gpiod_line_info_is_used(info) ? 1 : 0;
    gpiod_line_info_free(info);
    return 0;
#endif
}

// MARK: - Requests

/// Bias of input lines.
enum { HK_BIAS_AS_IS = 0, HK_BIAS_PULL_UP = 1, HK_BIAS_PULL_DOWN = 2, HK_BIAS_DISABLED = 3 };

/// A set of lines requested together, as inputs with edge events or as outputs.
typedef struct hk_request {
    unsigned int count;
    unsigned int offsets[HK_GPIOD_MAX_LINES];
#ifdef HK_GPIOD_V1
    struct gpiod_line *lines[HK_GPIOD_MAX_LINES];
#else
    struct gpiod_line_request *request;
    struct gpiod_edge_event_buffer *buffer;
#endif
} hk_request;

/// An edge on an input line.
typedef struct hk_event {
    unsigned int offset;
    /// 1 when the line became active (pressed), 0 when it became inactive.
    int rising;
    /// CLOCK_MONOTONIC nanoseconds.
    uint64_t timestamp_ns;
} hk_event;

static inline void hk_request_release(hk_request *request) {
    if (request == NULL) return;
#ifdef HK_GPIOD_V1
    for (unsigned int i = 0; i < request->count; i++) {
        if (request->lines[i] != NULL) gpiod_line_release(request->lines[i]);
    }
#else
    if (request->request != NULL) gpiod_line_request_release(request->request);
    if (request->buffer != NULL) gpiod_edge_event_buffer_free(request->buffer);
#endif
    free(request);
}

/// Frees a request that could not be completed, keeping errno; returns NULL.
static inline hk_request *hk_request_fail(hk_request *request) {
    int saved = errno;
    hk_request_release(request);
    errno = saved;
    return NULL;
}

/// A new, empty request for `count` lines (EINVAL for none or too many).
static inline hk_request *hk_request_new(const unsigned int *offsets, unsigned int count) {
    if (count == 0 || count > HK_GPIOD_MAX_LINES) {
        errno = EINVAL;
        return NULL;
    }
    hk_request *request = (hk_request *)calloc(1, sizeof(hk_request));
    if (request == NULL) return NULL;
    request->count = count;
    memcpy(request->offsets, offsets, count * sizeof(unsigned int));
    return request;
}

#ifdef HK_GPIOD_V1
/// Requests each line of `request` as an output or as an input with both edge events.
static inline hk_request *hk_v1_request(hk_request *request, struct gpiod_chip *chip, const char *consumer, int flags,
                                        int output) {
    for (unsigned int i = 0; i < request->count; i++) {
        struct gpiod_line *line = gpiod_chip_get_line(chip, request->offsets[i]);
        int result = line == NULL ? -1
                     : output     ? gpiod_line_request_output_flags(line, consumer, flags, 0)
                                  : gpiod_line_request_both_edges_events_flags(line, consumer, flags);
        if (result != 0) return hk_request_fail(request);
        request->lines[i] = line;
    }
    return request;
}
#else
/// Requests the lines of `request` with `settings` (which it frees).
static inline hk_request *hk_v2_request(hk_request *request, struct gpiod_chip *chip, const char *consumer,
                                        struct gpiod_line_settings *settings) {
    struct gpiod_line_config *config = gpiod_line_config_new();
    struct gpiod_request_config *request_config = gpiod_request_config_new();
    if (config != NULL && request_config != NULL &&
        gpiod_line_config_add_line_settings(config, request->offsets, request->count, settings) == 0) {
        gpiod_request_config_set_consumer(request_config, consumer);
        request->request = gpiod_chip_request_lines(chip, request_config, config);
    }
    int saved = errno;
    if (config != NULL) gpiod_line_config_free(config);
    if (request_config != NULL) gpiod_request_config_free(request_config);
    gpiod_line_settings_free(settings);
    errno = saved;
    return request->request == NULL ? hk_request_fail(request) : request;
}
#endif

/// Requests `count` lines as inputs that report both edges, with the given bias, active-low, and (v2) kernel
/// debounce.
static inline hk_request *hk_request_inputs(struct gpiod_chip *chip, const unsigned int *offsets, unsigned int count,
                                            const char *consumer, int active_low, int bias,
                                            unsigned long debounce_us) {
    hk_request *request = hk_request_new(offsets, count);
    if (request == NULL) return NULL;
#ifdef HK_GPIOD_V1
    (void)debounce_us;
    int flags = active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
    if (bias == HK_BIAS_PULL_UP) flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
    if (bias == HK_BIAS_PULL_DOWN) flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
    if (bias == HK_BIAS_DISABLED) flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE;
    return hk_v1_request(request, chip, consumer, flags, 0);
#else
    struct gpiod_line_settings *settings = gpiod_line_settings_new();
    if (settings == NULL) return hk_request_fail(request);
    gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_INPUT);
    gpiod_line_settings_set_edge_detection(settings, GPIOD_LINE_EDGE_BOTH);
    gpiod_line_settings_set_active_low(settings, active_low ? true : false);
    gpiod_line_settings_set_event_clock(settings, GPIOD_LINE_CLOCK_MONOTONIC);
    if (bias == HK_BIAS_PULL_UP) gpiod_line_settings_set_bias(settings, GPIOD_LINE_BIAS_PULL_UP);
    if (bias == HK_BIAS_PULL_DOWN) gpiod_line_settings_set_bias(settings, GPIOD_LINE_BIAS_PULL_DOWN);
    if (bias == HK_BIAS_DISABLED) gpiod_line_settings_set_bias(settings, GPIOD_LINE_BIAS_DISABLED);
    if (debounce_us > 0) gpiod_line_settings_set_debounce_period_us(settings, debounce_us);
    request = hk_v2_request(request, chip, consumer, settings);
    if (request == NULL) return NULL;
    request->buffer = gpiod_edge_event_buffer_new(HK_GPIOD_MAX_LINES);
    return request->buffer == NULL ? hk_request_fail(request) : request;
#endif
}

/// Requests `count` lines as outputs, all inactive at first.
static inline hk_request *hk_request_outputs(struct gpiod_chip *chip, const unsigned int *offsets, unsigned int count,
                                             const char *consumer, int active_low) {
    hk_request *request = hk_request_new(offsets, count);
    if (request == NULL) return NULL;
#ifdef HK_GPIOD_V1
    return hk_v1_request(request, chip, consumer, active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0, 1);
#else
    struct gpiod_line_settings *settings = gpiod_line_settings_new();
    if (settings == NULL) return hk_request_fail(request);
    gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_OUTPUT);
    gpiod_line_settings_set_active_low(settings, active_low ? true : false);
    gpiod_line_settings_set_output_value(settings, GPIOD_LINE_VALUE_INACTIVE);
    return hk_v2_request(request, chip, consumer, settings);
#endif
}

/// Sets output line `offset` active (1) or inactive (0).
static inline int hk_request_set_value(hk_request *request, unsigned int offset, int active) {
#ifdef HK_GPIOD_V1
    for (unsigned int i = 0; i < request->count; i++) {
        if (request->offsets[i] == offset) return gpiod_line_set_value(request->lines[i], active ? 1 : 0);
    }
    errno = EINVAL;
    return -1;
#else
    return gpiod_line_request_set_value(request->request, offset,
                                        active ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
#endif
}

/// How many file descriptors deliver the request's events (v1: one per line; v2: one).
static inline unsigned int hk_request_fd_count(hk_request *request) {
#ifdef HK_GPIOD_V1
    return request->count;
#else
    (void)request;
    return 1;
#endif
}

/// File descriptor `index` of the request, to wait on with poll(2); -1 on failure.
static inline int hk_request_fd(hk_request *request, unsigned int index) {
#ifdef HK_GPIOD_V1
    if (index >= request->count) {
        errno = EINVAL;
        return -1;
    }
    return gpiod_line_event_get_fd(request->lines[index]);
#else
    (void)index;
    return gpiod_line_request_get_fd(request->request);
#endif
}

/// Reads the events waiting on file descriptor `index` (after poll says it is readable) into `out`.
/// Returns how many, or -1.
static inline int hk_request_read_events(hk_request *request, unsigned int index, hk_event *out, unsigned int max) {
#ifdef HK_GPIOD_V1
    if (index >= request->count) {
        errno = EINVAL;
        return -1;
    }
    struct gpiod_line_event events[16];
    unsigned int capacity = max < 16 ? max : 16;
    int fd = gpiod_line_event_get_fd(request->lines[index]);
    int n = gpiod_line_event_read_fd_multiple(fd, events, capacity);
    if (n < 0) return -1;
    for (int i = 0; i < n; i++) {
        out[i].offset = request->offsets[index];
        out[i].rising = events[i].event_type == GPIOD_LINE_EVENT_RISING_EDGE ? 1 : 0;
        out[i].timestamp_ns = (uint64_t)events[i].ts.tv_sec * 1000000000ull + (uint64_t)events[i].ts.tv_nsec;
    }
    return n;
#else
    (void)index;
    size_t capacity = max < HK_GPIOD_MAX_LINES ? max : HK_GPIOD_MAX_LINES;
    int n = gpiod_line_request_read_edge_events(request->request, request->buffer, capacity);
    if (n < 0) return -1;
    for (int i = 0; i < n; i++) {
        struct gpiod_edge_event *event = gpiod_edge_event_buffer_get_event(request->buffer, (unsigned long)i);
        out[i].offset = gpiod_edge_event_get_line_offset(event);
        out[i].rising = gpiod_edge_event_get_event_type(event) == GPIOD_EDGE_EVENT_RISING_EDGE ? 1 : 0;
        out[i].timestamp_ns = gpiod_edge_event_get_timestamp_ns(event);
    }
    return n;
#endif
}

#endif
