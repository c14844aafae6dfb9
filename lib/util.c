/*
 * util.c: growable buffers, string helpers, whole-file reads.
 */
#define _POSIX_C_SOURCE 200809L
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
strbuf_grow(strbuf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (b->oom)
        return 0;
    if (extra > (size_t)-1 / 2 - b->len) {
        b->oom = 1;
        return 0;
    }
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 1;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    p = realloc(b->data, cap);
    if (!p) {
        b->oom = 1;
        return 0;
    }
    b->data = p;
    b->cap = cap;
    return 1;
}

void
strbuf_append(strbuf *b, const char *s, size_t len)
{
    if (!strbuf_grow(b, len))
        return;
    if (len)
        memcpy(b->data + b->len, s, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void
strbuf_puts(strbuf *b, const char *s)
{
    strbuf_append(b, s, strlen(s));
}

void
strbuf_putc(strbuf *b, char c)
{
    strbuf_append(b, &c, 1);
}

void
strbuf_vprintf(strbuf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || !strbuf_grow(b, (size_t)n))
        return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void
strbuf_printf(strbuf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    strbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

const char *
strbuf_cstr(strbuf *b)
{
    if (!strbuf_grow(b, 0))
        return NULL;
    b->data[b->len] = '\0';
    return b->data;
}

char *
strbuf_detach(strbuf *b, size_t *len_out)
{
    char *p = NULL;

    if (strbuf_cstr(b))
        p = b->data;
    else
        free(b->data);
    if (len_out)
        *len_out = p ? b->len : 0;
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
    return p;
}

void
strbuf_reset(strbuf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void
strbuf_free(strbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

char *
util_strndup(const char *s, size_t len)
{
    char *p;

    if (!s)
        return NULL;
    p = malloc(len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *
util_strdup(const char *s)
{
    return s ? util_strndup(s, strlen(s)) : NULL;
}

char *
util_asprintf(const char *fmt, ...)
{
    strbuf b = STRBUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    strbuf_vprintf(&b, fmt, ap);
    va_end(ap);
    return strbuf_detach(&b, NULL);
}

int
util_read_file(const char *path, char **out, size_t *len_out)
{
    strbuf b = STRBUF_INIT;
    FILE *f;
    size_t n;
    int saved;

    f = fopen(path, "rb");
    if (!f)
        return -1;
    for (;;) {
        if (!strbuf_grow(&b, 65536)) {
            fclose(f);
            strbuf_free(&b);
            errno = ENOMEM;
            return -1;
        }
        n = fread(b.data + b.len, 1, 65536, f);
        b.len += n;
        b.data[b.len] = '\0';
        if (n < 65536)
            break;
    }
    if (ferror(f)) {
        saved = errno ? errno : EIO;
        fclose(f);
        strbuf_free(&b);
        errno = saved;
        return -1;
    }
    fclose(f);
    *out = strbuf_detach(&b, len_out);
    return *out ? 0 : -1;
}

double
util_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
util_cpu_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
util_format_duration(char *buf, size_t size, double seconds)
{
    unsigned long s = seconds > 0 ? (unsigned long)(seconds + 0.5) : 0;

    if (s < 60)
        snprintf(buf, size, "%lus", s);
    else if (s < 3600)
        snprintf(buf, size, "%lum%02lus", s / 60, s % 60);
    else
        snprintf(buf, size, "%luh%02lum", s / 3600, s % 3600 / 60);
}

uint64_t
util_fnv1a64(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 14695981039346656037ULL;

    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

uint64_t
util_hash64(const void *data, size_t len)
{
    const unsigned char *s = data;
    uint64_t h = 0x9E3779B97F4A7C15u ^ len, w;

    for (; len >= 8; s += 8, len -= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDu;
        h ^= h >> 32;
    }
    if (len) {
        w = 0;
        for (size_t i = 0; i < len; i++)
            w |= (uint64_t)s[i] << (8 * i);
        h = (h ^ w) * 0xFF51AFD7ED558CCDu;
        h ^= h >> 32;
    }
    h *= 0xC4CEB9FE1A85EC53u;
    return h ^ h >> 29;
}
