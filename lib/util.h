/*
 * util.h: small helpers every module shares: a growable byte buffer with a
 * sticky error, checked allocation and string duplication.
 *
 * The buffer follows the "sticky error" pattern of SQLite FTS5: append
 * helpers do nothing once an allocation has failed, so builder code stays
 * straight-line and checks `buf.oom` once at the end.
 */
#ifndef RECAP_UTIL_H
#define RECAP_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct strbuf {
    char *data; /* NUL-terminated when len > 0 or after strbuf_cstr() */
    size_t len; /* bytes used, not counting the terminating NUL */
    size_t cap; /* bytes allocated */
    int oom;    /* set once an allocation failed; appends then do nothing */
} strbuf;

#define STRBUF_INIT                                                            \
    {                                                                          \
        NULL, 0, 0, 0                                                          \
    }

void strbuf_append(strbuf *b, const char *s, size_t len);
void strbuf_puts(strbuf *b, const char *s);
void strbuf_putc(strbuf *b, char c);
void strbuf_printf(strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void strbuf_vprintf(strbuf *b, const char *fmt, va_list ap);
/* Makes room for at least `extra` more bytes; returns 0 on failure. */
int strbuf_grow(strbuf *b, size_t extra);
/* Returns the contents as a C string (never NULL unless out of memory). */
const char *strbuf_cstr(strbuf *b);
/* Hands the contents to the caller (free with free()) and resets the
 * buffer.  Returns NULL when out of memory. */
char *strbuf_detach(strbuf *b, size_t *len_out);
void strbuf_reset(strbuf *b);
void strbuf_free(strbuf *b);

/* strndup that tolerates s == NULL (returns NULL). */
char *util_strndup(const char *s, size_t len);
char *util_strdup(const char *s);
/* Allocates a formatted string; NULL when out of memory. */
char *util_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reads a whole file. Returns 0 and sets *out (NUL-terminated, caller
 * frees) and *len_out, or -1 with errno set. */
int util_read_file(const char *path, char **out, size_t *len_out);

/* Monotonic clock in seconds. */
double util_now(void);
/* CPU time of the calling thread in seconds: for time bounds in tests,
 * which other processes on a busy machine must not break. */
double util_cpu_now(void);
/* FNV-1a, 64 bits, of len bytes: a quick hash for tables and change
 * detection (not for anything an attacker chooses to collide). */
uint64_t util_fnv1a64(const void *data, size_t len);
/* A faster hash for in-memory tables (eight bytes at a time, mixed so
 * that its low bits depend on every byte); may change between versions,
 * so never store it. */
uint64_t util_hash64(const void *data, size_t len);
/* Writes `seconds` as a person reads a duration: "42s", "3m05s",
 * "2h07m" (rounded to the second; negative as 0). */
void util_format_duration(char *buf, size_t size, double seconds);

#define UTIL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
