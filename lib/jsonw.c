/*
 * jsonw.c: the direct JSON writer of jsonw.h.
 */
#include "jsonw.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Appends bytes: memcpy when they fit, the strbuf's growth otherwise. */
static inline void
put(strbuf *b, const char *s, size_t len)
{
    if (b->len + len < b->cap && !b->oom) {
        memcpy(b->data + b->len, s, len);
        b->len += len;
        b->data[b->len] = '\0';
    } else {
        strbuf_append(b, s, len);
    }
}

static inline void
put_char(strbuf *b, char c)
{
    put(b, &c, 1);
}

void
jsonw_init(jsonw *w, strbuf *b, unsigned indent)
{
    memset(w, 0, sizeof(*w));
    w->b = b;
    w->indent = indent;
    w->empty[0] = 1;
}

/* 1 for the bytes jsonw_escape() must look at: controls, '"', '\\' and
 * every non-ASCII byte (checked as UTF-8). */
static const unsigned char json_special[256] = {
    [0 ... 0x1F] = 1,
    ['"'] = 1,
    ['\\'] = 1,
    [0x80 ... 0xFF] = 1,
};

/* A line break and the indentation of `depth` (indented output only). */
static void
newline(jsonw *w, unsigned depth)
{
    size_t n = (size_t)w->indent * depth;

    if (!w->indent || !strbuf_grow(w->b, n + 1))
        return;
    w->b->data[w->b->len++] = '\n';
    memset(w->b->data + w->b->len, ' ', n);
    w->b->len += n;
    w->b->data[w->b->len] = '\0';
}

/* What goes before a value or a key: nothing after a key, else a comma
 * after an earlier element, and the line break of indented output. */
static void
before_item(jsonw *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth == 0)
        return;
    if (!w->empty[w->depth])
        put_char(w->b, ',');
    w->empty[w->depth] = 0;
    newline(w, w->depth);
}

static void
open_level(jsonw *w, char bracket)
{
    before_item(w);
    put_char(w->b, bracket);
    assert(w->depth < JSONW_MAX_DEPTH);
    if (w->depth < JSONW_MAX_DEPTH)
        w->empty[++w->depth] = 1;
}

static void
close_level(jsonw *w, char bracket)
{
    assert(w->depth > 0 && !w->after_key);
    if (w->depth == 0)
        return;
    if (!w->empty[w->depth--])
        newline(w, w->depth);
    put_char(w->b, bracket);
}

void
jsonw_open_object(jsonw *w)
{
    open_level(w, '{');
}

void
jsonw_open_array(jsonw *w)
{
    open_level(w, '[');
}

void
jsonw_close_object(jsonw *w)
{
    close_level(w, '}');
}

void
jsonw_close_array(jsonw *w)
{
    close_level(w, ']');
}

void
jsonw_key(jsonw *w, const char *key)
{
    const unsigned char *k = (const unsigned char *)key;
    size_t n = 0;
    strbuf *b = w->b;

    assert(!w->after_key);
    before_item(w);
    /* The usual key, short plain ASCII, goes out with its quotes and
     * colon in one copy. */
    while (n < 64 && k[n] && !json_special[k[n]])
        n++;
    if (!k[n] && b->len + n + 4 < b->cap && !b->oom) {
        char *d = b->data + b->len;
        d[0] = '"';
        memcpy(d + 1, key, n);
        d[n + 1] = '"';
        d[n + 2] = ':';
        d[n + 3] = ' ';
        b->len += n + 3 + (w->indent ? 1 : 0);
        b->data[b->len] = '\0';
    } else {
        jsonw_escape(b, key, strlen(key));
        put(b, ": ", w->indent ? 2 : 1);
    }
    w->after_key = 1;
}

/* The length of the valid UTF-8 sequence at `s` (at most `len` bytes), or
 * 0: no overlong forms, no surrogates, nothing past U+10FFFF. */
static size_t
utf8_seq(const unsigned char *s, size_t len)
{
    unsigned c = s[0], n, i, cp;

    if (c < 0xC2 || c > 0xF4)
        return 0;
    n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (len < n)
        return 0;
    cp = c & (0x7F >> n);
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

typedef unsigned char jsonw_v16 __attribute__((vector_size(16)));

/* A bit for each of the 16 bytes at s that json_special marks (byte j as
 * bit j). */
static inline unsigned
special16(const unsigned char *s)
{
    jsonw_v16 v, bad;
    unsigned m = 0;

    memcpy(&v, s, 16);
    bad = (jsonw_v16)(v < 0x20) | (jsonw_v16)(v >= 0x80) |
          (jsonw_v16)(v == '"') | (jsonw_v16)(v == '\\');
#ifdef __SSE2__
    m = (unsigned)_mm_movemask_epi8((__m128i)bad);
#else
    for (int j = 0; j < 16; j++)
        m |= (unsigned)(bad[j] & 1) << j;
#endif
    return m;
}

/* The offset of the first byte at or after i that json_special marks, or
 * len. */
static inline size_t
next_special(const unsigned char *s, size_t i, size_t len)
{
    for (; i + 16 <= len; i += 16) {
        unsigned m = special16(s + i);
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
    while (i < len && !json_special[s[i]])
        i++;
    return i;
}

void
jsonw_escape(strbuf *b, const char *str, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, run = 0, n;
    char esc[7];

    strbuf_grow(b, len + 2);
    put_char(b, '"');
    while ((i = next_special(s, i, len)) < len) {
        unsigned c = s[i];
        const char *rep = NULL;
        size_t rep_len = 2;

        if (c >= 0x80 && (n = utf8_seq(s + i, len - i)) > 0) {
            i += n;
            continue;
        }
        put(b, str + run, i - run);
        switch (c) {
        case '"':
            rep = "\\\"";
            break;
        case '\\':
            rep = "\\\\";
            break;
        case '\b':
            rep = "\\b";
            break;
        case '\f':
            rep = "\\f";
            break;
        case '\n':
            rep = "\\n";
            break;
        case '\r':
            rep = "\\r";
            break;
        case '\t':
            rep = "\\t";
            break;
        default:
            if (c < 0x20) {
                memcpy(esc, "\\u00", 4);
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 15];
                rep = esc;
                rep_len = 6;
            } else {
                rep = "\xEF\xBF\xBD"; /* U+FFFD for an invalid byte */
                rep_len = 3;
            }
        }
        put(b, rep, rep_len);
        run = ++i;
    }
    put(b, str + run, len - run);
    put_char(b, '"');
}

void
jsonw_strn(jsonw *w, const char *s, size_t len)
{
    before_item(w);
    jsonw_escape(w->b, s, len);
}

void
jsonw_str(jsonw *w, const char *s)
{
    if (!s) {
        jsonw_null(w);
        return;
    }
    jsonw_strn(w, s, strlen(s));
}

void
jsonw_int(jsonw *w, int64_t v)
{
    char buf[24], *p = buf + sizeof(buf);
    /* Digits from the end, of the magnitude as unsigned (INT64_MIN has no
     * positive int64_t), as "%" PRId64 writes them. */
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        *--p = '-';
    before_item(w);
    put(w->b, p, (size_t)(buf + sizeof(buf) - p));
}

/* Powers of ten as doubles, 1e-4 .. 1e15 (index d + 4): a first guess at
 * a value's decimal exponent, checked by the integer arithmetic. */
static const double pow10_guess[] = {1e-4, 1e-3, 1e-2, 1e-1, 1e0,  1e1, 1e2,
                                     1e3,  1e4,  1e5,  1e6,  1e7,  1e8, 1e9,
                                     1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/*
 * What snprintf "%.17g" writes for v when 1e-4 <= |v| < 1e15 (always the
 * fixed notation there), without the stdio machinery: v is m * 2^-s
 * exactly (m < 2^53, 0 < s < 128 in that range), so its 17 significant
 * digits are m * 10^k / 2^s rounded, with k = 16 - (decimal exponent), an
 * integer below 2^120, rounded half to even as glibc does in the default
 * rounding mode.  Returns the length written to buf (at least 24 bytes),
 * or 0 outside the range, for snprintf to do.
 */
static size_t
real17(char *buf, double v)
{
    uint64_t bits, m, n = 0;
    int exp2, s, d, k;
    size_t o = 0;
    char digits[17];

    memcpy(&bits, &v, sizeof bits);
    if (v < 0)
        v = -v;
    if (!(v >= 1e-4 && v < 1e15))
        return 0;
    exp2 = (int)(bits >> 52 & 0x7FF);
    m = (bits & ((UINT64_C(1) << 52) - 1)) | UINT64_C(1) << 52;
    s = 1075 - exp2; /* v = m / 2^s */
    if (s <= 0 || s >= 128)
        return 0;
    for (d = 15; d > -4 && v < pow10_guess[d + 4]; d--)
        ;
    for (int tries = 0; tries < 3; tries++) {
        unsigned __int128 p = m, q, r, half;
        k = 16 - d;
        for (int j = 0; j < k; j++)
            p *= 10;
        q = p >> s;
        r = p & ((((unsigned __int128)1) << s) - 1);
        half = ((unsigned __int128)1) << (s - 1);
        if (r > half || (r == half && (q & 1)))
            q++;
        if (q < UINT64_C(10000000000000000)) {
            d--;
            continue;
        }
        if (q >= UINT64_C(100000000000000000)) {
            d++;
            continue;
        }
        n = (uint64_t)q;
        break;
    }
    if (!n || d < -4 || d > 15)
        return 0;
    for (int j = 16; j >= 0; j--) {
        digits[j] = (char)('0' + n % 10);
        n /= 10;
    }
    if (bits >> 63)
        buf[o++] = '-';
    /* Fixed notation: d + 1 digits before the point (or "0." and -d - 1
     * zeros), the rest after it, trailing zeros and a bare point dropped. */
    int last = 16;
    while (last > 0 && digits[last] == '0' && last > d)
        last--;
    if (d >= 0) {
        memcpy(buf + o, digits, (size_t)d + 1);
        o += (size_t)d + 1;
        if (last > d) {
            buf[o++] = '.';
            memcpy(buf + o, digits + d + 1, (size_t)(last - d));
            o += (size_t)(last - d);
        }
    } else {
        buf[o++] = '0';
        buf[o++] = '.';
        for (int j = 0; j < -d - 1; j++)
            buf[o++] = '0';
        memcpy(buf + o, digits, (size_t)last + 1);
        o += (size_t)last + 1;
    }
    buf[o] = '\0';
    return o;
}

/* As jansson writes a real: "%.17g", a ".0" when that reads as an integer,
 * no '+' and no leading zeros in the exponent.  NaN and infinities, which
 * JSON cannot hold, are written as null. */
void
jsonw_real(jsonw *w, double v)
{
    char buf[40], *e, *digits, *end;
    int n;

    if (v != v || v - v != 0) {
        jsonw_null(w);
        return;
    }
    if ((n = (int)real17(buf, v)) > 0) {
        if (!memchr(buf, '.', (size_t)n)) {
            memcpy(buf + n, ".0", 3);
            n += 2;
        }
        before_item(w);
        put(w->b, buf, (size_t)n);
        return;
    }
    n = snprintf(buf, sizeof(buf), "%.17g", v);
    if (n < 0 || (size_t)n >= sizeof(buf) - 2) {
        jsonw_null(w);
        return;
    }
    if (!strchr(buf, '.') && !strchr(buf, 'e')) {
        memcpy(buf + n, ".0", 3);
        n += 2;
    }
    if ((e = strchr(buf, 'e'))) {
        digits = e + 1;
        if (*digits == '-')
            digits++;
        for (end = e + 2; *end == '0'; end++)
            ;
        if (end != digits) {
            memmove(digits, end, strlen(end) + 1);
            n = (int)strlen(buf);
        }
    }
    before_item(w);
    put(w->b, buf, (size_t)n);
}

void
jsonw_bool(jsonw *w, int v)
{
    before_item(w);
    if (v)
        put(w->b, "true", 4);
    else
        put(w->b, "false", 5);
}

void
jsonw_null(jsonw *w)
{
    before_item(w);
    put(w->b, "null", 4);
}

void
jsonw_member_str(jsonw *w, const char *key, const char *s)
{
    jsonw_key(w, key);
    jsonw_str(w, s);
}

void
jsonw_member_int(jsonw *w, const char *key, int64_t v)
{
    jsonw_key(w, key);
    jsonw_int(w, v);
}

void
jsonw_member_real(jsonw *w, const char *key, double v)
{
    jsonw_key(w, key);
    jsonw_real(w, v);
}

void
jsonw_member_bool(jsonw *w, const char *key, int v)
{
    jsonw_key(w, key);
    jsonw_bool(w, v);
}
