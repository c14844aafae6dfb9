/*
 * fuzz_docdata.c: the stored-page reader (query/docdata.h) on random
 * bytes, in both forms (a first byte of 0 is the binary layout of
 * lib/pagebin.h, anything else JSON), and the binary layout's round trip:
 * the input's lines, written as a page, must read back as they were.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docdata.h"
#include "pagebin.h"
#include "util.h"

/* Every string docdata hands out ends within its length. */
static void
check(const docdata *d)
{
    const char *top[] = {d->path,    d->url,  d->title,      d->date,
                         d->section, d->lang, d->description};

    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
        if (top[i])
            (void)strlen(top[i]);
    for (size_t i = 0; i < d->n_secs; i++) {
        if (strlen(d->secs[i].t) > d->secs[i].t_len ||
            strlen(d->secs[i].c) > d->secs[i].c_len)
            abort();
        if (d->secs[i].h)
            (void)strlen(d->secs[i].h);
        if (d->secs[i].a)
            (void)strlen(d->secs[i].a);
    }
    for (size_t i = 0; i < d->n_tr; i++)
        if (strlen(d->tr_lang[i]) + strlen(d->tr_url[i]) > SIZE_MAX / 2)
            abort();
}

/* The input's lines as the texts of sections (the page strings empty),
 * written and read back. */
static void
round_trip(const char *src, size_t size)
{
    strbuf b = STRBUF_INIT;
    size_t n = 1, i, off, k;
    docdata d;

    for (i = 0; i < size; i++)
        n += src[i] == '\n';
    pagebin_begin(&b, n, 0, 0);
    for (i = 0; i < PB_N_TOP; i++)
        pagebin_put_str(&b, "", 0);
    for (off = 0, k = 0; k < n; k++) {
        const char *nl = memchr(src + off, '\n', size - off);
        size_t len = nl ? (size_t)(nl - (src + off)) : size - off;
        pagebin_put_str(&b, NULL, 0);
        pagebin_put_str(&b, k % 2 ? "a" : NULL, k % 2);
        pagebin_put_str(&b, src + off, len);
        pagebin_put_str(&b, src + off, len / 2);
        pagebin_put_str(&b, NULL, 0);
        off += len + 1;
    }
    if (b.oom)
        abort();
    if (docdata_parse(b.data, b.len, &d) || d.n_secs != n)
        abort();
    for (off = 0, k = 0; k < n; k++) {
        const char *nl = memchr(src + off, '\n', size - off);
        size_t len = nl ? (size_t)(nl - (src + off)) : size - off;
        const char *nul = memchr(src + off, '\0', len);
        size_t want = nul ? (size_t)(nul - (src + off)) : len;
        const docdata_section *s = &d.secs[k];
        if (s->h || (k % 2 ? !s->a : s->a != NULL) || s->t_len != want ||
            memcmp(s->t, src + off, want) || s->t[want] != '\0' ||
            s->c_len > len / 2)
            abort();
        off += len + 1;
    }
    docdata_free(&d);
    strbuf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *src = (const char *)data;
    docdata d;

    if (docdata_parse(src, size, &d) == 0) {
        check(&d);
        docdata_free(&d);
    }
    round_trip(src, size);
    return 0;
}
