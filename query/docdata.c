/*
 * docdata.c: the one-pass reader of stored document data (see docdata.h).
 *
 * The binary form is read in place.  The JSON form by a recursive-descent
 * reader that keeps only what docdata holds.
 * Every unescaped string is no longer than its escaped form, so one buffer
 * of the input's size holds them all, each NUL-terminated.
 */
#include "docdata.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docpack.h"
#include "pagebin.h"
#include "schema.h"

/* Nesting allowed in skipped values. */
#define DOCDATA_MAX_DEPTH 64

typedef unsigned char v16 __attribute__((vector_size(16)));

typedef struct reader {
    const char *p, *end;
    char *out; /* next free byte of the string buffer */
    docdata *d;
    size_t cap_secs;
    int raw_nul; /* the input holds a NUL byte */
} reader;

/* The index of the first nonzero byte of the sixteen in h (which has
 * one), in memory order. */
static size_t
first_set(const uint64_t h[2])
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return h[0] ? (size_t)__builtin_ctzll(h[0]) / 8
                : 8 + (size_t)__builtin_ctzll(h[1]) / 8;
#else
    const unsigned char *b = (const unsigned char *)h;
    size_t k = 0;
    while (!b[k])
        k++;
    return k;
#endif
}

static void
skip_ws(reader *r)
{
    while (r->p < r->end &&
           (*r->p == ' ' || *r->p == '\n' || *r->p == '\t' || *r->p == '\r'))
        r->p++;
}

/* Consumes `c` after white space; returns 0 or -1. */
static int
expect(reader *r, char c)
{
    skip_ws(r);
    if (r->p >= r->end || *r->p != c)
        return -1;
    r->p++;
    return 0;
}

static int
hex4(const char *p, uint32_t *out)
{
    uint32_t v = 0;

    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static char *
put_utf8(char *o, uint32_t c)
{
    if (c < 0x80) {
        *o++ = (char)c;
    } else if (c < 0x800) {
        *o++ = (char)(0xC0 | c >> 6);
        *o++ = (char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        *o++ = (char)(0xE0 | c >> 12);
        *o++ = (char)(0x80 | (c >> 6 & 0x3F));
        *o++ = (char)(0x80 | (c & 0x3F));
    } else {
        *o++ = (char)(0xF0 | c >> 18);
        *o++ = (char)(0x80 | (c >> 12 & 0x3F));
        *o++ = (char)(0x80 | (c >> 6 & 0x3F));
        *o++ = (char)(0x80 | (c & 0x3F));
    }
    return o;
}

/* A \u escape at r->p (after the backslash and 'u'), with a following low
 * surrogate when it is a high one; lone surrogates become U+FFFD. */
static int
unicode_escape(reader *r, uint32_t *cp)
{
    uint32_t c, lo;

    if (r->end - r->p < 4 || hex4(r->p, &c))
        return -1;
    r->p += 4;
    if (c >= 0xD800 && c <= 0xDBFF && r->end - r->p >= 6 && r->p[0] == '\\' &&
        r->p[1] == 'u' && hex4(r->p + 2, &lo) == 0 && lo >= 0xDC00 &&
        lo <= 0xDFFF) {
        r->p += 6;
        c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
    } else if (c >= 0xD800 && c <= 0xDFFF) {
        c = 0xFFFD;
    }
    *cp = c;
    return 0;
}

/* Reads a string into the buffer: *s (NUL-terminated) and *len. */
static int
read_string(reader *r, const char **s, size_t *len)
{
    char *start;
    int cut = 0; /* a \u0000 was read */

    if (expect(r, '"'))
        return -1;
    start = r->out;
    for (;;) {
        /* Copy plain bytes sixteen at a time, stopping at a block that
         * holds a quote or a backslash.  A block is copied before it is
         * tested: the unescaped text never runs ahead of the input, so
         * the buffer (the input's size) has room for it. */
        while (r->end - r->p >= 16) {
            v16 w;
            uint64_t h[2];
            memcpy(&w, r->p, 16);
            memcpy(r->out, &w, 16);
            v16 hit = (v16)(w == '"') | (v16)(w == '\\');
            memcpy(h, &hit, 16);
            if (h[0] | h[1]) {
                size_t k = first_set(h);
                r->p += k;
                r->out += k;
                goto special;
            }
            r->p += 16;
            r->out += 16;
        }
        const char *q = r->p;
        while (q < r->end && *q != '"' && *q != '\\')
            q++;
        memcpy(r->out, r->p, (size_t)(q - r->p));
        r->out += q - r->p;
        r->p = q;
    special:
        if (r->p >= r->end)
            return -1;
        if (*r->p++ == '"')
            break;
        if (r->p >= r->end)
            return -1;
        char e = *r->p++;
        uint32_t cp;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            *r->out++ = e;
            break;
        case 'b':
            *r->out++ = '\b';
            break;
        case 'f':
            *r->out++ = '\f';
            break;
        case 'n':
            *r->out++ = '\n';
            break;
        case 'r':
            *r->out++ = '\r';
            break;
        case 't':
            *r->out++ = '\t';
            break;
        case 'u':
            if (unicode_escape(r, &cp))
                return -1;
            cut |= cp == 0;
            r->out = put_utf8(r->out, cp);
            break;
        default:
            return -1;
        }
    }
    *len = (size_t)(r->out - start);
    *r->out++ = '\0';
    *s = start;
    /* A \u0000 cuts the string, as a C string would. */
    if (cut || r->raw_nul) {
        const char *nul = memchr(start, '\0', *len);
        if (nul)
            *len = (size_t)(nul - start);
    }
    return 0;
}

static int skip_value(reader *r, int depth);

static int
skip_container(reader *r, char close, int depth)
{
    const char *s;
    size_t n;

    r->p++;
    skip_ws(r);
    if (r->p < r->end && *r->p == close) {
        r->p++;
        return 0;
    }
    for (;;) {
        if (close == '}' && (read_string(r, &s, &n) || expect(r, ':')))
            return -1;
        if (skip_value(r, depth + 1))
            return -1;
        skip_ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        return expect(r, close);
    }
}

/* Skips any value (strings are still copied, the buffer has room). */
static int
skip_value(reader *r, int depth)
{
    const char *s;
    size_t n;

    skip_ws(r);
    if (r->p >= r->end || depth > DOCDATA_MAX_DEPTH)
        return -1;
    switch (*r->p) {
    case '"':
        return read_string(r, &s, &n);
    case '{':
        return skip_container(r, '}', depth);
    case '[':
        return skip_container(r, ']', depth);
    default:
        n = 0;
        while (r->p < r->end &&
               ((*r->p >= '0' && *r->p <= '9') ||
                (*r->p >= 'a' && *r->p <= 'z') || *r->p == '-' ||
                *r->p == '+' || *r->p == '.' || *r->p == 'E'))
            r->p++, n++;
        return n ? 0 : -1;
    }
}

/* A string or null (or anything else, read as NULL). */
static int
read_opt_string(reader *r, const char **s, size_t *len)
{
    skip_ws(r);
    *s = NULL;
    *len = 0;
    if (r->p < r->end && *r->p == '"')
        return read_string(r, s, len);
    return skip_value(r, 0);
}

/* Calls `field` for each key of an object. */
static int
read_object(reader *r, int (*field)(reader *, const char *, void *), void *ctx)
{
    const char *key;
    size_t n;

    if (expect(r, '{'))
        return -1;
    skip_ws(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        return 0;
    }
    for (;;) {
        if (read_string(r, &key, &n) || expect(r, ':') || field(r, key, ctx))
            return -1;
        skip_ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        return expect(r, '}');
    }
}

static int
section_field(reader *r, const char *key, void *ctx)
{
    docdata_section *sec = ctx;
    size_t n;

    if (strcmp(key, "h") == 0)
        return read_opt_string(r, &sec->h, &n);
    if (strcmp(key, "a") == 0)
        return read_opt_string(r, &sec->a, &n);
    if (strcmp(key, "t") == 0)
        return read_opt_string(r, &sec->t, &sec->t_len);
    if (strcmp(key, "c") == 0)
        return read_opt_string(r, &sec->c, &sec->c_len);
    return skip_value(r, 0);
}

/* Calls `item` for each element of an array (a value that is not an array
 * is skipped, as an unknown field would be). */
static int
read_array(reader *r, int (*item)(reader *))
{
    skip_ws(r);
    if (r->p < r->end && *r->p != '[')
        return skip_value(r, 0);
    if (expect(r, '['))
        return -1;
    skip_ws(r);
    if (r->p < r->end && *r->p == ']') {
        r->p++;
        return 0;
    }
    for (;;) {
        if (item(r))
            return -1;
        skip_ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        return expect(r, ']');
    }
}

/* One element of "sections". */
static int
section_item(reader *r)
{
    docdata *d = r->d;

    if (d->n_secs == r->cap_secs) {
        size_t cap = r->cap_secs ? r->cap_secs * 2 : 16;
        docdata_section *s = realloc(d->secs, cap * sizeof *s);
        if (!s)
            return -1;
        d->secs = s;
        r->cap_secs = cap;
    }
    docdata_section *sec = &d->secs[d->n_secs++];
    memset(sec, 0, sizeof *sec);
    if (read_object(r, section_field, sec))
        return -1;
    if (!sec->t)
        sec->t = "";
    if (!sec->c)
        sec->c = "";
    return 0;
}

/* One {"lang", "url", "path"} of "translations". */
static int
translation_field(reader *r, const char *key, void *ctx)
{
    docdata *d = ctx;
    size_t n;

    if (strcmp(key, "lang") == 0)
        return read_opt_string(r, &d->tr_lang[d->n_tr], &n);
    if (strcmp(key, "url") == 0)
        return read_opt_string(r, &d->tr_url[d->n_tr], &n);
    return skip_value(r, 0);
}

/* One element of "translations"; those past DOCDATA_MAX_TR are skipped. */
static int
translation_item(reader *r)
{
    docdata *d = r->d;

    if (d->n_tr == DOCDATA_MAX_TR)
        return skip_value(r, 0);
    d->tr_lang[d->n_tr] = d->tr_url[d->n_tr] = NULL;
    if (read_object(r, translation_field, d))
        return -1;
    if (d->tr_lang[d->n_tr] && d->tr_url[d->n_tr])
        d->n_tr++;
    return 0;
}

static int
top_field(reader *r, const char *key, void *ctx)
{
    static const char *const names[] = {"path",    "url",  "title",      "date",
                                        "section", "lang", "description"};
    docdata *d = ctx;
    const char **slots[] = {&d->path,    &d->url,  &d->title,      &d->date,
                            &d->section, &d->lang, &d->description};
    size_t n;

    if (strcmp(key, "sections") == 0)
        return read_array(r, section_item);
    if (strcmp(key, "translations") == 0)
        return read_array(r, translation_item);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(key, names[i]) == 0)
            return read_opt_string(r, slots[i], &n);
    return skip_value(r, 0);
}

/* The JSON form, unescaped into a buffer of its own. */
static int
parse_json(const char *json, size_t len, docdata *out)
{
    reader r = {json, json + len, NULL, out, 0, 0};

    if (!(out->buf = malloc(len + 1)))
        return -1;
    r.out = out->buf;
    r.raw_nul = memchr(json, '\0', len) != NULL;
    if (read_object(&r, top_field, out))
        return -1;
    skip_ws(&r);
    return r.p == r.end ? 0 : -1;
}

/* The binary form (lib/pagebin.h): the strings point into `data`. */
static int
parse_bin(const char *data, size_t len, docdata *d)
{
    const char **top[PB_N_TOP] = {&d->path,       &d->url,     &d->title,
                                  &d->date,       &d->section, &d->lang,
                                  &d->description};
    pagebin_reader r;
    size_t n[6], i, k, slen;
    const char *s;

    if (pagebin_open(&r, data, len, n))
        return -1;
    for (k = 0; k < n[0]; k++) {
        if (pagebin_get_str(&r, &s, &slen))
            return -1;
        if (k < PB_N_TOP)
            *top[k] = s;
    }
    if (n[3] && !(d->secs = calloc(n[3], sizeof *d->secs)))
        return -1;
    d->n_secs = n[3];
    for (i = 0; i < n[3]; i++) {
        docdata_section *sec = &d->secs[i];
        for (k = 0; k < n[1]; k++) {
            if (pagebin_get_str(&r, &s, &slen))
                return -1;
            switch (k) {
            case PB_HEADING:
                sec->h = s;
                break;
            case PB_ANCHOR:
                sec->a = s;
                break;
            case PB_TEXT:
                sec->t = s;
                sec->t_len = slen;
                break;
            case PB_CODE:
                sec->c = s;
                sec->c_len = slen;
                break;
            default: /* labels, and strings of later versions */
                break;
            }
        }
        if (!sec->t)
            sec->t = "";
        if (!sec->c)
            sec->c = "";
    }
    for (i = 0; i < n[4]; i++)
        if (pagebin_get_str(&r, &s, &slen))
            return -1;
    for (i = 0; i < n[5]; i++) {
        const char *tr_lang = NULL, *tr_url = NULL;
        for (k = 0; k < n[2]; k++) {
            if (pagebin_get_str(&r, &s, &slen))
                return -1;
            if (k == PB_TR_LANG)
                tr_lang = s;
            else if (k == PB_TR_URL)
                tr_url = s;
        }
        if (tr_lang && tr_url && d->n_tr < DOCDATA_MAX_TR) {
            d->tr_lang[d->n_tr] = tr_lang;
            d->tr_url[d->n_tr++] = tr_url;
        }
    }
    return r.p == r.end ? 0 : -1;
}

int
docdata_parse_owned(char *data, size_t len, docdata *out)
{
    int rc;

    memset(out, 0, sizeof *out);
    if (!data)
        return -1;
    if (pagebin_is(data, len)) {
        out->buf = data;
        rc = parse_bin(data, len, out);
    } else {
        rc = parse_json(data, len, out);
        free(data);
    }
    if (rc)
        docdata_free(out);
    return rc;
}

int
docdata_parse(const char *data, size_t len, docdata *out)
{
    char *copy;

    memset(out, 0, sizeof *out);
    if (!data)
        return -1;
    if (!pagebin_is(data, len)) {
        if (parse_json(data, len, out)) {
            docdata_free(out);
            return -1;
        }
        return 0;
    }
    if (!(copy = malloc(len + 1)))
        return -1;
    memcpy(copy, data, len);
    copy[len] = '\0';
    return docdata_parse_owned(copy, len, out);
}

void
docdata_free(docdata *d)
{
    if (!d)
        return;
    free(d->buf);
    free(d->secs);
    memset(d, 0, sizeof *d);
}

recap_status
docdata_get_summary(const xap_doc *doc, char **out, size_t *len, xap_error *err)
{
    recap_status rc =
        xap_doc_get_value(doc, SCHEMA_SLOT_SUMMARY, out, len, err);

    if (rc == RECAP_OK && *len == 0) {
        free(*out);
        *out = NULL;
        rc = xap_doc_get_data(doc, out, len, err);
    }
    return rc;
}

recap_status
docdata_get_full(const xap_doc *doc, char **out, size_t *len, xap_error *err)
{
    char *packed;
    size_t packed_len;
    recap_status rc =
        xap_doc_get_value(doc, SCHEMA_SLOT_DATA, &packed, &packed_len, err);

    *out = NULL;
    *len = 0;
    if (rc != RECAP_OK)
        return rc;
    if (packed_len == 0) {
        free(packed);
        return xap_doc_get_data(doc, out, len, err);
    }
    /* A damaged value leaves *out NULL, which docdata_parse rejects. */
    if (docpack_unpack(packed, packed_len, out, len)) {
        *out = NULL;
        *len = 0;
    }
    free(packed);
    return RECAP_OK;
}
