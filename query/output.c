/*
 * output.c: recap_results_format, the text, JSON, JSON Lines, paths and TSV
 * forms of a result set, and the terminal word wrapper (see output.h).
 */
#include "output.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "recapsearch.h"

/* Facet values shown per facet in the text summary. */
#define OUTPUT_FACET_VALUES 6

/* ---- characters --------------------------------------------------------- */

/* Decodes the character at s[i], i < len: its byte length, *cp (U+FFFD for
 * an invalid byte, which then counts as one byte). */
static size_t
next_char(const char *s, size_t len, size_t i, int32_t *cp)
{
    if ((unsigned char)s[i] < 0x80) {
        *cp = (unsigned char)s[i];
        return 1;
    }
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                          (utf8proc_ssize_t)(len - i), cp);
    if (k <= 0) {
        *cp = 0xFFFD;
        return 1;
    }
    return (size_t)k;
}

/* C0 and C1 controls and DEL: never written, read as white space. */
static int
is_control(int32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

static unsigned
char_width(int32_t cp)
{
    if (cp >= 0x20 && cp < 0x7F)
        return 1; /* printable ASCII, as utf8proc says */
    int w = utf8proc_charwidth(cp);
    return w < 0 ? 1 : (unsigned)w;
}

/* CJK punctuation that must not start a line. */
static int
no_break_before(int32_t cp)
{
    static const int32_t closing[] = {0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF1A,
                                      0xFF1B, 0xFF1F, 0xFF01, 0xFF09, 0x300D,
                                      0x300F, 0x3011, 0x3009, 0x300B, 0x3015,
                                      0xFF5D, 0x201D, 0x2019, 0x30FC};

    if (cp < 0x2019)
        return 0;
    for (size_t i = 0; i < UTIL_ARRAY_LEN(closing); i++)
        if (cp == closing[i])
            return 1;
    return 0;
}

size_t
output_width(const char *s, size_t len)
{
    size_t i = 0, w = 0;
    int32_t cp;

    while (i < len) {
        i += next_char(s, len, i, &cp);
        w += is_control(cp) ? 1 : char_width(cp);
    }
    return w;
}

/* ---- wrapping ----------------------------------------------------------- */

typedef struct emitter {
    output_wrap *w;
    const char *style, *hl_style, *cur; /* cur: the style in effect */
    const size_t *hl;
    size_t n_hl, h; /* h: the first highlight not yet passed */
} emitter;

static void
set_style(emitter *e, const char *style)
{
    if (!e->w->color || style == e->cur)
        return;
    if (e->cur)
        strbuf_puts(e->w->out, OUTPUT_SGR_RESET);
    if (style)
        strbuf_puts(e->w->out, style);
    e->cur = style;
}

static void
line_break(emitter *e)
{
    const char *style = e->cur;

    set_style(e, NULL);
    strbuf_putc(e->w->out, '\n');
    for (unsigned i = 0; i < e->w->indent; i++)
        strbuf_putc(e->w->out, ' ');
    e->w->col = e->w->indent;
    set_style(e, style);
}

/* Whether a unit of `need` columns does not fit on the current line, and a
 * break would help. */
static int
must_break(const output_wrap *w, unsigned need)
{
    return w->width && w->col + need > w->width && w->col > w->indent;
}

/* The style of byte offset `off`. */
static const char *
style_at(emitter *e, size_t off)
{
    while (e->h < e->n_hl && off >= e->hl[2 * e->h] + e->hl[2 * e->h + 1])
        e->h++;
    if (e->h < e->n_hl && off >= e->hl[2 * e->h])
        return e->hl_style;
    return e->style;
}

/* Writes the characters of s[a..b), cutting between characters when one
 * does not fit (a word longer than a line). */
/* Where the style of byte offset `off` (after style_at) next changes. */
static size_t
style_end(const emitter *e, size_t off)
{
    if (e->h >= e->n_hl)
        return SIZE_MAX;
    if (off >= e->hl[2 * e->h])
        return e->hl[2 * e->h] + e->hl[2 * e->h + 1];
    return e->hl[2 * e->h];
}

static void
emit(emitter *e, const char *s, size_t a, size_t b)
{
    int32_t cp;

    while (a < b) {
        /* A run of printable ASCII in one style that fits on the line goes
         * at once (one column a byte). */
        size_t r = a;
        while (r < b && (unsigned char)s[r] >= 0x20 &&
               (unsigned char)s[r] < 0x7F)
            r++;
        if (r > a + 1 && !must_break(e->w, 1)) {
            set_style(e, style_at(e, a));
            size_t end = style_end(e, a);
            if (end < r)
                r = end;
            if (e->w->width && e->w->col + (r - a) > e->w->width)
                r = a + (e->w->width > e->w->col ? e->w->width - e->w->col : 0);
            if (r > a) {
                strbuf_append(e->w->out, s + a, r - a);
                e->w->col += (unsigned)(r - a);
                a = r;
                continue;
            }
        }
        size_t k = next_char(s, b, a, &cp);
        unsigned cw = char_width(cp);
        if (must_break(e->w, cw))
            line_break(e);
        set_style(e, style_at(e, a));
        if (cp == 0xFFFD && k == 1)
            strbuf_puts(e->w->out, "\xef\xbf\xbd");
        else
            strbuf_append(e->w->out, s + a, k);
        e->w->col += cw;
        a += k;
    }
}

void
output_wrap_text(output_wrap *w, const char *s, size_t len, const char *style,
                 const size_t *hl, size_t n_hl, const char *hl_style)
{
    emitter e = {w, style, hl_style, NULL, hl, n_hl, 0};
    size_t i = 0;
    int space = 0;
    int32_t cp;

    while (i < len) {
        size_t k = next_char(s, len, i, &cp), a = i;
        unsigned uw;
        if (cp == ' ' || is_control(cp)) {
            space = 1;
            i += k;
            continue;
        }
        /* A unit: one wide character (with the closing punctuation after
         * it, which must not start a line), or a run of narrow ones. */
        uw = char_width(cp);
        i += k;

        while (char_width(cp) < 2 && i < len) {
            k = next_char(s, len, i, &cp);
            if (cp == ' ' || is_control(cp))
                break;
            if (char_width(cp) >= 2)
                break;
            uw += char_width(cp);
            i += k;
        }
        while (i < len && (k = next_char(s, len, i, &cp)) &&
               no_break_before(cp)) {
            uw += char_width(cp);
            i += k;
        }
        if (must_break(w, uw + (unsigned)space)) {
            line_break(&e);
        } else if (space && w->col > 0) {
            /* The space takes the style around it, so a highlighted
             * phrase stays one stretch. */
            set_style(&e, style_at(&e, a) == hl_style && a > 0 &&
                                  style_at(&e, a - 1) == hl_style
                              ? hl_style
                              : style);
            strbuf_putc(w->out, ' ');
            w->col++;
        }
        space = 0;
        emit(&e, s, a, i);
    }
    set_style(&e, NULL);
}

void
output_wrap_newline(output_wrap *w)
{
    strbuf_putc(w->out, '\n');
    w->col = 0;
}

/* ---- text format -------------------------------------------------------- */

typedef struct text_ctx {
    const recap_format_options *o;
    strbuf *b;
} text_ctx;

/* Appends a URL with control characters and spaces dropped. */
static void
put_url(strbuf *b, const char *base, const char *url)
{
    size_t n;

    if (base && *base && url && url[0] == '/') {
        n = strlen(base);
        while (n > 0 && base[n - 1] == '/')
            n--;
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)base[i] > 0x20 && base[i] != 0x7F)
                strbuf_putc(b, base[i]);
    }
    for (; url && *url; url++)
        if ((unsigned char)*url > 0x20 && *url != 0x7F)
            strbuf_putc(b, *url);
}

static void
link_open(text_ctx *t, const char *url)
{
    if (!t->o->hyperlinks || !url)
        return;
    strbuf_puts(t->b, "\033]8;;");
    put_url(t->b, t->o->base_url, url);
    strbuf_puts(t->b, "\033\\");
}

static void
link_close(text_ctx *t, const char *url)
{
    if (t->o->hyperlinks && url)
        strbuf_puts(t->b, "\033]8;;\033\\");
}

static void
put_str(output_wrap *w, const char *s, const char *style)
{
    if (s)
        output_wrap_text(w, s, strlen(s), style, NULL, 0, NULL);
}

static void
indent(output_wrap *w)
{
    for (unsigned i = w->col; i < w->indent; i++)
        strbuf_putc(w->out, ' ');
    w->col = w->col > w->indent ? w->col : w->indent;
}

static void
text_header(text_ctx *t, const recap_results *res, output_wrap *w)
{
    uint64_t total = recap_results_total(res);
    size_t n = recap_results_count(res);
    const char *sugg = recap_results_suggestion(res);
    strbuf line = STRBUF_INIT;

    if (sugg && recap_results_corrected(res)) {
        put_str(w, "Showing results for \"", NULL);
        put_str(w, sugg, OUTPUT_SGR_TITLE);
        put_str(w, "\" (search only \"", NULL);
        put_str(w, recap_results_query(res), NULL);
        put_str(w, "\" with --exact)", NULL);
        output_wrap_newline(w);
    } else if (sugg) {
        put_str(w, "Did you mean \"", NULL);
        put_str(w, sugg, OUTPUT_SGR_TITLE);
        put_str(w, "\"?", NULL);
        output_wrap_newline(w);
    }
    strbuf_printf(&line, "%s%llu result%s for \"",
                  recap_results_total_exact(res) ? "" : "about ",
                  (unsigned long long)total, total == 1 ? "" : "s");
    put_str(w, strbuf_cstr(&line), NULL);
    strbuf_reset(&line);
    put_str(w, recap_results_query(res), OUTPUT_SGR_TITLE);
    if (n > 1 && recap_hit_rank(recap_results_hit(res, 0)) > 1)
        strbuf_printf(&line, "\", %u-%u shown",
                      recap_hit_rank(recap_results_hit(res, 0)),
                      recap_hit_rank(recap_results_hit(res, n - 1)));
    else if (n == 1 && recap_hit_rank(recap_results_hit(res, 0)) > 1)
        strbuf_printf(&line, "\", %u shown",
                      recap_hit_rank(recap_results_hit(res, 0)));
    else
        strbuf_putc(&line, '"');
    strbuf_printf(&line, " (%.1f ms)", recap_results_elapsed(res) * 1000.0);
    strbuf_append(t->b, strbuf_cstr(&line), line.len);
    w->col += (unsigned)output_width(line.data, line.len);
    strbuf_free(&line);
    output_wrap_newline(w);
}

/* "section: blog 12 · docs 5 · news 3 (+4 more)", one line per facet. */
static void
text_facets(text_ctx *t, const recap_results *res, output_wrap *w)
{
    strbuf line = STRBUF_INIT;

    (void)t;
    for (size_t i = 0; i < recap_results_facet_count(res); i++) {
        const recap_facet *f = recap_results_facet(res, i);
        size_t nv = recap_facet_value_count(f);
        strbuf_reset(&line);
        strbuf_printf(&line, "%s:", recap_facet_name(f));
        for (size_t j = 0; j < nv && j < OUTPUT_FACET_VALUES; j++) {
            uint64_t c;
            const char *v = recap_facet_value(f, j, &c);
            strbuf_printf(&line, "%s %s %llu", j ? " \xc2\xb7" : "",
                          *v ? v : "(none)", (unsigned long long)c);
        }
        if (nv == 0)
            strbuf_puts(&line, " none");
        else if (nv > OUTPUT_FACET_VALUES)
            strbuf_printf(&line, " (+%zu more)", nv - OUTPUT_FACET_VALUES);
        w->indent = 2;
        put_str(w, strbuf_cstr(&line), OUTPUT_SGR_META);
        output_wrap_newline(w);
    }
    w->indent = 0;
    strbuf_free(&line);
}

static void
text_meta(text_ctx *t, const recap_hit *h, output_wrap *w)
{
    strbuf url = STRBUF_INIT, meta = STRBUF_INIT;

    indent(w);
    put_url(&url, t->o->base_url, recap_hit_url(h));
    link_open(t, recap_hit_url(h));
    put_str(w, strbuf_cstr(&url), OUTPUT_SGR_URL);
    link_close(t, recap_hit_url(h));
    if (recap_hit_date(h))
        strbuf_printf(&meta, " \xc2\xb7 %.10s", recap_hit_date(h));
    if (recap_hit_section(h) && *recap_hit_section(h))
        strbuf_printf(&meta, " \xc2\xb7 %s", recap_hit_section(h));
    if (meta.len)
        put_str(w, strbuf_cstr(&meta), OUTPUT_SGR_META);
    output_wrap_newline(w);
    strbuf_free(&url);
    strbuf_free(&meta);
}

static void
text_snippet(text_ctx *t, const recap_snippet *sn, output_wrap *w)
{
    size_t n = recap_snippet_highlight_count(sn), *hl = NULL;
    const char *text = recap_snippet_text(sn);

    if (recap_snippet_heading(sn)) {
        indent(w);
        link_open(t, recap_snippet_url(sn));
        strbuf hd = STRBUF_INIT;
        strbuf_printf(&hd, "\xc2\xa7 %s", recap_snippet_heading(sn));
        put_str(w, strbuf_cstr(&hd), OUTPUT_SGR_HEADING);
        strbuf_free(&hd);
        link_close(t, recap_snippet_url(sn));
        output_wrap_newline(w);
    }
    if (!text || !*text)
        return;
    if (n && (hl = malloc(2 * n * sizeof *hl)))
        for (size_t i = 0; i < n; i++)
            recap_snippet_highlight(sn, i, &hl[2 * i], &hl[2 * i + 1]);
    indent(w);
    output_wrap_text(w, text, strlen(text), NULL, hl, hl ? n : 0,
                     OUTPUT_SGR_MATCH);
    output_wrap_newline(w);
    free(hl);
}

static void
text_hit(text_ctx *t, const recap_hit *h, unsigned digits, output_wrap *w)
{
    const char *title = recap_hit_title(h);
    strbuf num = STRBUF_INIT;

    strbuf_printf(&num, "%*u. ", (int)digits, recap_hit_rank(h));
    strbuf_append(t->b, strbuf_cstr(&num), num.len);
    w->col = (unsigned)num.len;
    w->indent = (unsigned)num.len;
    strbuf_free(&num);
    link_open(t, recap_hit_url(h));
    put_str(w, title && *title ? title : recap_hit_path(h), OUTPUT_SGR_TITLE);
    link_close(t, recap_hit_url(h));
    output_wrap_newline(w);
    text_meta(t, h, w);
    for (size_t i = 0; i < recap_hit_snippet_count(h); i++)
        text_snippet(t, recap_hit_snippet(h, i), w);
}

static void
format_text(const recap_results *res, const recap_format_options *o, strbuf *b)
{
    text_ctx t = {o, b};
    output_wrap w = {b, o->width ? (o->width < 20 ? 20 : o->width) : 0, 0, 0,
                     o->color};
    size_t n = recap_results_count(res);
    unsigned digits = 1;

    text_header(&t, res, &w);
    text_facets(&t, res, &w);
    if (n)
        for (unsigned r = recap_hit_rank(recap_results_hit(res, n - 1));
             r >= 10; r /= 10)
            digits++;
    for (size_t i = 0; i < n; i++) {
        output_wrap_newline(&w);
        text_hit(&t, recap_results_hit(res, i), digits, &w);
    }
    if (recap_results_next_offset(res)) {
        w.indent = 0;
        output_wrap_newline(&w);
        strbuf_printf(b, "%snext page: --offset %llu%s\n",
                      o->color ? OUTPUT_SGR_META : "",
                      (unsigned long long)recap_results_next_offset(res),
                      o->color ? OUTPUT_SGR_RESET : "");
    }
}

/* ---- formats for scripts ------------------------------------------------ */

/* Appends a TSV field: tabs, line breaks and other controls become
 * spaces. */
static void
put_field(strbuf *b, const char *s)
{
    for (; s && *s; s++)
        strbuf_putc(b, (unsigned char)*s < 0x20 || *s == 0x7F ? ' ' : *s);
}

static void
format_tsv(const recap_results *res, strbuf *b)
{
    for (size_t i = 0; i < recap_results_count(res); i++) {
        const recap_hit *h = recap_results_hit(res, i);
        const recap_snippet *sn = recap_hit_snippet(h, 0);
        const char *fields[] = {recap_hit_path(h),
                                recap_hit_url(h),
                                recap_hit_title(h),
                                recap_hit_date(h),
                                recap_hit_section(h),
                                recap_hit_lang(h),
                                sn ? recap_snippet_text(sn) : NULL};
        strbuf_printf(b, "%u\t%.3f", recap_hit_rank(h), recap_hit_score(h));
        for (size_t f = 0; f < UTIL_ARRAY_LEN(fields); f++) {
            strbuf_putc(b, '\t');
            put_field(b, fields[f]);
        }
        strbuf_putc(b, '\n');
    }
}

static void
format_paths(const recap_results *res, strbuf *b)
{
    for (size_t i = 0; i < recap_results_count(res); i++) {
        put_field(b, recap_hit_path(recap_results_hit(res, i)));
        strbuf_putc(b, '\n');
    }
}

/* One compact hit object per line, as in the "hits" of the JSON form. */
static int
format_jsonl(const recap_results *res, strbuf *b)
{
    char *all = recap_results_json(res, 0), *line;
    json_t *obj, *hits, *hit;
    size_t i;

    if (!all)
        return -1;
    obj = json_loads(all, 0, NULL);
    free(all);
    if (!obj)
        return -1;
    hits = json_object_get(obj, "hits");
    json_array_foreach(hits, i, hit)
    {
        if (!(line = json_dumps(hit, JSON_COMPACT))) {
            json_decref(obj);
            return -1;
        }
        strbuf_puts(b, line);
        strbuf_putc(b, '\n');
        free(line);
    }
    json_decref(obj);
    return 0;
}

recap_status
recap_format_from_name(const char *name, recap_format *out)
{
    static const char *const names[] = {"text", "json", "jsonl", "paths",
                                        "tsv"};

    for (size_t i = 0; name && out && i < UTIL_ARRAY_LEN(names); i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (recap_format)i;
            return RECAP_OK;
        }
    return RECAP_EINVAL;
}

recap_status
recap_results_format(const recap_results *res, const recap_format_options *opts,
                     char **out, size_t *len_out)
{
    strbuf b = STRBUF_INIT;
    char *json;

    if (!out)
        return RECAP_EINVAL;
    *out = NULL;
    if (!res || !opts || opts->version != RECAP_FORMAT_OPTIONS_VERSION)
        return RECAP_EINVAL;
    switch (opts->format) {
    case RECAP_FORMAT_TEXT:
        format_text(res, opts, &b);
        break;
    case RECAP_FORMAT_JSON:
        if (!(json = recap_results_json(res, opts->pretty)))
            return RECAP_ENOMEM;
        strbuf_puts(&b, json);
        strbuf_putc(&b, '\n');
        free(json);
        break;
    case RECAP_FORMAT_JSONL:
        if (format_jsonl(res, &b) < 0)
            b.oom = 1;
        break;
    case RECAP_FORMAT_PATHS:
        format_paths(res, &b);
        break;
    case RECAP_FORMAT_TSV:
        format_tsv(res, &b);
        break;
    default:
        return RECAP_EINVAL;
    }
    (void)strbuf_cstr(&b);
    if (b.oom) {
        strbuf_free(&b);
        return RECAP_ENOMEM;
    }
    *out = strbuf_detach(&b, len_out);
    return *out ? RECAP_OK : RECAP_ENOMEM;
}
