/*
 * pagebin.c: the binary layout of the stored page (see pagebin.h).
 */
#include "pagebin.h"

#include <stdint.h>
#include <string.h>

/* The longest number: ten LEB128 bytes hold 64 bits. */
#define PAGEBIN_MAX_NUM 10

static void
put_num(strbuf *b, uint64_t v)
{
    char tmp[PAGEBIN_MAX_NUM];
    size_t n = 0;

    do {
        tmp[n] = (char)(v & 0x7F);
        v >>= 7;
        if (v)
            tmp[n] |= (char)0x80;
        n++;
    } while (v);
    strbuf_append(b, tmp, n);
}

void
pagebin_begin(strbuf *b, size_t n_secs, size_t n_links, size_t n_tr)
{
    strbuf_putc(b, PAGEBIN_MAGIC);
    strbuf_putc(b, PAGEBIN_VERSION);
    put_num(b, PB_N_TOP);
    put_num(b, PB_N_SECF);
    put_num(b, PB_N_TRF);
    put_num(b, n_secs);
    put_num(b, n_links);
    put_num(b, n_tr);
}

void
pagebin_put_str(strbuf *b, const char *s, size_t len)
{
    const char *nul;

    if (!s) {
        put_num(b, 0);
        return;
    }
    if ((nul = memchr(s, '\0', len)))
        len = (size_t)(nul - s);
    put_num(b, (uint64_t)len + 1);
    strbuf_append(b, s, len);
    strbuf_putc(b, '\0');
}

/* Reads a number of at most 64 bits; returns 0 or -1. */
static int
get_num(pagebin_reader *r, uint64_t *out)
{
    uint64_t v = 0;

    for (unsigned shift = 0; shift < 7 * PAGEBIN_MAX_NUM; shift += 7) {
        if (r->p >= r->end)
            return -1;
        uint64_t byte = *r->p++;
        if (shift == 63 && byte > 1)
            return -1; /* more than 64 bits */
        v |= (byte & 0x7F) << shift;
        if (!(byte & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

int
pagebin_is(const char *data, size_t len)
{
    return data && len >= 2 && data[0] == PAGEBIN_MAGIC &&
           data[1] == PAGEBIN_VERSION;
}

int
pagebin_open(pagebin_reader *r, const char *data, size_t len, size_t n[6])
{
    if (!pagebin_is(data, len))
        return -1;
    r->p = (const unsigned char *)data + 2;
    r->end = (const unsigned char *)data + len;
    for (int i = 0; i < 6; i++) {
        uint64_t v;
        /* Every string takes a byte at least, so no count can exceed
         * what is left: callers may allocate by the counts. */
        if (get_num(r, &v) || v > (uint64_t)(r->end - r->p))
            return -1;
        n[i] = (size_t)v;
    }
    /* Groups of no strings cannot be told from damage: n_secs sections of
     * nothing would be read from no bytes. */
    if (n[0] == 0 || n[1] == 0 || n[2] == 0 ||
        (n[1] && n[3] > (size_t)(r->end - r->p) / n[1]) ||
        (n[2] && n[5] > (size_t)(r->end - r->p) / n[2]))
        return -1;
    return 0;
}

int
pagebin_get_str(pagebin_reader *r, const char **s, size_t *len)
{
    uint64_t v;

    /* Most strings are shorter than 127 bytes: a one-byte number. */
    if (r->p < r->end && *r->p < 0x80)
        v = *r->p++;
    else if (get_num(r, &v))
        return -1;
    if (v == 0) {
        *s = NULL;
        *len = 0;
        return 0;
    }
    /* v - 1 bytes and the NUL byte. */
    if (v > (uint64_t)(r->end - r->p) || r->p[v - 1] != '\0')
        return -1;
    *s = (const char *)r->p;
    *len = (size_t)(v - 1);
    r->p += v;
    return 0;
}
