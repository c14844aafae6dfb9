/*
 * markdown.c: the body of a page as plain-text sections.  Shortcodes are
 * expanded first (shortcode.c), then cmark-gfm parses the markdown and a
 * walk over the tree collects, per heading, the visible prose and the code
 * blocks.  HTML is reduced to the text between its tags.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <utf8proc.h>

#include "ingest.h"
#include "shortcode.h"
#include "util.h"

/* How the next piece of prose is separated from the text before it. */
/* SEP_SOFT is a line break inside a paragraph: a space, except between two
 * CJK characters, where the reader sees none.  SEP_CELL, a tab, parts the
 * cells of a table row (rows are lines), so that a snippet can show them
 * apart. */
enum sep { SEP_NONE, SEP_SOFT, SEP_SPACE, SEP_CELL, SEP_LINE, SEP_BLOCK };

/* The anchors used so far in one document, for Hugo's "-1", "-2" suffixes
 * on duplicates.  Open addressing; `next` is the next suffix to try for an
 * anchor used as a base. */
typedef struct anchor_slot {
    char *key;
    unsigned next;
} anchor_slot;

typedef struct anchor_set {
    anchor_slot *slots;
    size_t n, cap; /* cap is 0 or a power of two */
} anchor_set;

typedef struct walker {
    ingest_doc *doc;
    size_t sections_cap;
    const sc_codes *codes;
    anchor_set anchors;
    /* The section being built. */
    char *heading;
    char *anchor;
    int level;
    strbuf text;
    strbuf code;
    strbuf labels;
    int in_label; /* between SC_LABEL_START and SC_LABEL_END */
    enum sep pending;
    int oom;
} walker;

static int
is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* ---- anchors ------------------------------------------------------------ */

char *
md_anchorize(const char *text, size_t len)
{
    const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)text;
    utf8proc_uint8_t enc[4];
    utf8proc_int32_t cp;
    utf8proc_ssize_t n;
    utf8proc_category_t cat;
    strbuf b = STRBUF_INIT;
    size_t i = 0;

    while (i < len) {
        n = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0) {
            i++; /* invalid UTF-8: dropped, like any punctuation */
            continue;
        }
        i += (size_t)n;
        if (cp == ' ' || cp == '-') {
            strbuf_putc(&b, '-');
            continue;
        }
        cat = utf8proc_category(cp);
        if (cp == '_' || cat == UTF8PROC_CATEGORY_ND ||
            (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO)) {
            n = utf8proc_encode_char(utf8proc_tolower(cp), enc);
            strbuf_append(&b, (const char *)enc, (size_t)n);
        }
    }
    return strbuf_detach(&b, NULL);
}

static size_t
hash_str(const char *s)
{
    size_t h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static anchor_slot *
anchor_find(anchor_set *set, const char *key)
{
    size_t i;

    if (!set->cap)
        return NULL;
    for (i = hash_str(key) & (set->cap - 1); set->slots[i].key;
         i = (i + 1) & (set->cap - 1))
        if (strcmp(set->slots[i].key, key) == 0)
            return &set->slots[i];
    return NULL;
}

/* Adds `key` (taking ownership).  Returns the slot or NULL (ENOMEM). */
static anchor_slot *
anchor_add(anchor_set *set, char *key)
{
    anchor_slot *slots;
    size_t i, j, cap;

    if ((set->n + 1) * 2 > set->cap) {
        cap = set->cap ? set->cap * 2 : 16;
        slots = calloc(cap, sizeof(*slots));
        if (!slots) {
            free(key);
            return NULL;
        }
        for (i = 0; i < set->cap; i++) {
            if (!set->slots[i].key)
                continue;
            for (j = hash_str(set->slots[i].key) & (cap - 1); slots[j].key;
                 j = (j + 1) & (cap - 1))
                ;
            slots[j] = set->slots[i];
        }
        free(set->slots);
        set->slots = slots;
        set->cap = cap;
    }
    for (i = hash_str(key) & (set->cap - 1); set->slots[i].key;
         i = (i + 1) & (set->cap - 1))
        ;
    set->slots[i].key = key;
    set->slots[i].next = 1;
    set->n++;
    return &set->slots[i];
}

static void
anchor_set_free(anchor_set *set)
{
    size_t i;

    for (i = 0; i < set->cap; i++)
        free(set->slots[i].key);
    free(set->slots);
    memset(set, 0, sizeof(*set));
}

/* Makes `base` unique in the document as Hugo does ("x", "x-1", "x-2"),
 * records it, and returns a malloc()ed copy, or NULL (ENOMEM). */
static char *
anchor_unique(anchor_set *set, const char *base)
{
    anchor_slot *slot = anchor_find(set, base);
    char *cand = NULL;
    unsigned i;

    if (!slot) {
        cand = util_strdup(base);
    } else {
        for (i = slot->next;; i++) {
            free(cand);
            cand = util_asprintf("%s-%u", base, i);
            if (!cand || !anchor_find(set, cand))
                break;
        }
        slot->next = i + 1;
    }
    if (!cand || !anchor_add(set, util_strdup(cand))) {
        free(cand);
        return NULL;
    }
    return cand;
}

/* ---- HTML --------------------------------------------------------------- */

/* What a browser puts at a tag: 0 nothing (inline tags), 1 a gap between
 * words (table cells), 2 a line break (block tags). */
static int
tag_breaks(const char *name, size_t len)
{
    static const char *const cells[] = {"td", "th"};
    static const char *const names[] = {
        "br",         "p",      "div",     "li",         "ul",      "ol",
        "dl",         "dt",     "dd",      "tr",         "table",   "thead",
        "tbody",      "hr",     "h1",      "h2",         "h3",      "h4",
        "h5",         "h6",     "section", "blockquote", "pre",     "figure",
        "figcaption", "header", "footer",  "nav",        "article", "aside"};
    char low[16];
    size_t i;

    if (len == 0 || len >= sizeof(low))
        return 0;
    for (i = 0; i < len; i++)
        low[i] =
            (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
    low[len] = '\0';
    for (i = 0; i < UTIL_ARRAY_LEN(cells); i++)
        if (strcmp(low, cells[i]) == 0)
            return 1;
    for (i = 0; i < UTIL_ARRAY_LEN(names); i++)
        if (strcmp(low, names[i]) == 0)
            return 2;
    return 0;
}

static int
is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static const char *
find_str(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle), i;
    const char *p;

    for (i = 0; i + n <= len; i = (size_t)(p - s) + 1) {
        p = memchr(s + i, needle[0], len - i - n + 1);
        if (!p)
            return NULL;
        if (memcmp(p, needle, n) == 0)
            return p;
    }
    return NULL;
}

static int
ieq(const char *a, const char *b, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char c = a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i];
        if (c != b[i])
            return 0;
    }
    return 1;
}

/* Decodes the entity at s[0..len) (s[0] == '&') into out.  Returns the
 * bytes consumed, or 0 if it is not an entity. */
static size_t
decode_entity(const char *s, size_t len, strbuf *out)
{
    static const struct {
        const char *name;
        const char *text;
    } named[] = {{"amp", "&"},
                 {"lt", "<"},
                 {"gt", ">"},
                 {"quot", "\""},
                 {"apos", "'"},
                 {"nbsp", " "},
                 {"mdash", "\xe2\x80\x94"},
                 {"ndash", "\xe2\x80\x93"},
                 {"hellip", "\xe2\x80\xa6"},
                 {"rsquo", "\xe2\x80\x99"},
                 {"lsquo", "\xe2\x80\x98"},
                 {"rdquo", "\xe2\x80\x9d"},
                 {"ldquo", "\xe2\x80\x9c"},
                 {"copy", "\xc2\xa9"},
                 {"reg", "\xc2\xae"},
                 {"trade", "\xe2\x84\xa2"}};
    utf8proc_uint8_t enc[4];
    long cp = 0;
    size_t i, e;
    int hex;

    for (e = 1; e < len && e < 34 && s[e] != ';'; e++)
        ;
    if (e >= len || s[e] != ';' || e == 1)
        return 0;
    if (s[1] == '#') {
        hex = e > 2 && (s[2] == 'x' || s[2] == 'X');
        for (i = hex ? 3 : 2; i < e; i++) {
            char c = s[i];
            int d = c >= '0' && c <= '9'          ? c - '0'
                    : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                  : -1;
            if (d < 0)
                return 0;
            if (cp < 0x110000)
                cp = cp * (hex ? 16 : 10) + d;
        }
        if (i == (size_t)(hex ? 3 : 2))
            return 0;
        if (cp == 0 || !utf8proc_codepoint_valid((utf8proc_int32_t)cp))
            cp = 0xFFFD;
        strbuf_append(out, (const char *)enc,
                      (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, enc));
        return e + 1;
    }
    for (i = 0; i < UTIL_ARRAY_LEN(named); i++)
        if (strlen(named[i].name) == e - 1 &&
            memcmp(s + 1, named[i].name, e - 1) == 0) {
            strbuf_puts(out, named[i].text);
            return e + 1;
        }
    return 0;
}

/* Length of the tag at s[0..len) (s[0] == '<'), or 0 if it is not one.
 * Quoted attribute values may hold '>'; a tag is at most 4 KB long. */
static size_t
tag_len(const char *s, size_t len)
{
    size_t i, lim = len < 4096 ? len : 4096;
    char q = 0;

    if (len < 2 ||
        !(is_alpha(s[1]) || s[1] == '/' || s[1] == '!' || s[1] == '?'))
        return 0;
    for (i = 1; i < lim; i++) {
        if (q) {
            if (s[i] == q)
                q = 0;
        } else if (s[i] == '"' || s[i] == '\'') {
            q = s[i];
        } else if (s[i] == '>') {
            return i + 1;
        } else if (s[i] == '<') {
            return 0;
        }
    }
    return 0;
}

/* Offset just past the end of a raw-text element (script, style) whose
 * opening tag ends at `from`. */
static size_t
skip_raw_element(const char *s, size_t len, size_t from, const char *name)
{
    size_t n = strlen(name), i;
    const char *p;

    for (i = from; i < len; i = (size_t)(p - s) + 1) {
        p = memchr(s + i, '<', len - i);
        if (!p)
            return len;
        if ((size_t)(p - s) + 2 + n <= len && p[1] == '/' &&
            ieq(p + 2, name, n)) {
            p = memchr(p, '>', len - (size_t)(p - s));
            return p ? (size_t)(p - s) + 1 : len;
        }
    }
    return len;
}

/* Appends the text of HTML s[0..len): tags and comments removed, script
 * and style contents dropped, entities decoded. */
static void
html_to_text(const char *s, size_t len, strbuf *out)
{
    size_t i = 0, run = 0, n, nl;
    const char *p;

    while (i < len) {
        if (s[i] == '&') {
            strbuf_append(out, s + run, i - run);
            n = decode_entity(s + i, len - i, out);
            if (!n)
                strbuf_putc(out, '&');
            i += n ? n : 1;
            run = i;
            continue;
        }
        if (s[i] != '<') {
            i++;
            continue;
        }
        strbuf_append(out, s + run, i - run);
        if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
            p = find_str(s + i + 4, len - i - 4, "-->");
            i = p ? (size_t)(p - s) + 3 : len;
        } else if ((n = tag_len(s + i, len - i)) > 0) {
            size_t b = i + 1 + (s[i + 1] == '/');
            for (nl = 0; b + nl < i + n && is_alpha(s[b + nl]); nl++)
                ;
            while (b + nl < i + n && s[b + nl] >= '0' && s[b + nl] <= '9')
                nl++;
            if (tag_breaks(s + b, nl))
                strbuf_putc(out, tag_breaks(s + b, nl) == 2 ? '\n' : ' ');
            i += n;
            if (s[b - 1] != '/' && nl == 6 && ieq(s + b, "script", 6))
                i = skip_raw_element(s, len, i, "script");
            else if (s[b - 1] != '/' && nl == 5 && ieq(s + b, "style", 5))
                i = skip_raw_element(s, len, i, "style");
        } else {
            strbuf_putc(out, '<');
            i++;
        }
        run = i;
    }
    strbuf_append(out, s + run, i - run);
}

/* ---- sections ----------------------------------------------------------- */

static void
put_code(walker *w, const char *s, size_t len)
{
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
        len--;
    if (len == 0)
        return;
    if (w->code.len > 0)
        strbuf_puts(&w->code, "\n\n");
    strbuf_append(&w->code, s, len);
}

/* Appends the code blocks whose markers appear in s[0..len); returns the
 * number of markers found. */
static int
put_marked_code(walker *w, const char *s, size_t len)
{
    const char *p;
    size_t i = 0, used, idx;
    int found = 0;

    while (i < len && (p = memchr(s + i, SC_MARK_START, len - i)) != NULL) {
        i = (size_t)(p - s);
        idx = sc_marker_parse(p, len - i, &used);
        if (idx == SIZE_MAX || idx >= w->codes->n) {
            i++;
            continue;
        }
        put_code(w, w->codes->code[idx], w->codes->code_len[idx]);
        found++;
        i += used;
    }
    return found;
}

/* Ideographs, kana, hangul and their punctuation: scripts written without
 * spaces between words. */
static int
is_cjk(int32_t cp)
{
    return (cp >= 0x2E80 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFF00 && cp <= 0xFFEF) ||
           (cp >= 0x20000 && cp <= 0x3FFFF);
}

static int32_t
first_cp(const char *s, size_t len)
{
    utf8proc_int32_t cp = -1;

    utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &cp);
    return cp;
}

static int32_t
last_cp(const strbuf *b)
{
    size_t i = b->len;

    while (i > 0 && b->len - i < 4 &&
           ((unsigned char)b->data[i - 1] & 0xC0) == 0x80)
        i--;
    return i > 0 ? first_cp(b->data + i - 1, b->len - i + 1) : -1;
}

/* Appends prose, dropping what is left of a link cmark did not recognise
 * ("[labels]((/docs/x/) to" -> "[labels] to"): the reader sees it, but it
 * is markup, not text, and its URL is not prose. */
static void
append_prose(strbuf *out, const char *s, size_t len)
{
    const char *p;
    size_t i = 0, k;

    while ((p = len > i ? memchr(s + i, ']', len - i) : NULL) != NULL) {
        k = (size_t)(p - s) + 1;
        if (k >= len || s[k] != '(') {
            strbuf_append(out, s + i, k - i);
            i = k;
            continue;
        }
        strbuf_append(out, s + i, k - i);
        for (k++; k < len && s[k] != ')' && !is_ws(s[k]); k++)
            ;
        if (k < len && s[k] == ')')
            k++;
        i = k;
    }
    strbuf_append(out, s + i, len - i);
}

static void
put_prose(walker *w, const char *s, size_t len)
{
    static const char *const seps[] = {"", " ", " ", "\t", "\n", "\n\n"};

    if (w->pending == SEP_SOFT && w->text.len > 0 && is_cjk(first_cp(s, len)) &&
        is_cjk(last_cp(&w->text)))
        w->pending = SEP_NONE;
    if (w->pending && w->text.len > 0)
        strbuf_puts(&w->text, seps[w->pending]);
    w->pending = SEP_NONE;
    size_t from = w->text.len;
    append_prose(&w->text, s, len);
    /* A tab in the text is a space: tabs part table cells. */
    for (size_t i = from; i < w->text.len; i++)
        if (w->text.data[i] == '\t')
            w->text.data[i] = ' ';
}

/* The next label marker in s[0..len), or NULL. */
static const char *
find_label_marker(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (s[i] == SC_LABEL_START || s[i] == SC_LABEL_END)
            return s + i;
    return NULL;
}

/* Appends text: prose, or a label's text between label markers. */
static void
put_text(walker *w, const char *s, size_t len)
{
    const char *p;
    size_t k;

    if (len == 0)
        return;
    if (memchr(s, SC_MARK_START, len)) {
        /* A code marker cmark did not take as a code block. */
        put_marked_code(w, s, len);
        return;
    }
    while (len > 0) {
        p = find_label_marker(s, len);
        k = p ? (size_t)(p - s) : len;
        if (k > 0 && w->in_label)
            strbuf_append(&w->labels, s, k);
        else if (k > 0)
            put_prose(w, s, k);
        if (!p)
            break;
        if (*p == SC_LABEL_START && !w->in_label && w->labels.len > 0)
            strbuf_putc(&w->labels, '\n');
        w->in_label = *p == SC_LABEL_START;
        s += k + 1;
        len -= k + 1;
    }
}

static void
separate(walker *w, enum sep sep)
{
    if (sep > w->pending)
        w->pending = sep;
}

/* Ends the current section: appends it to doc->sections unless it is an
 * empty lead section. */
static void
flush_section(walker *w)
{
    ingest_doc *doc = w->doc;
    ingest_section *sec;
    size_t cap;

    if (w->oom || w->text.oom || w->code.oom || w->labels.oom) {
        w->oom = 1;
        return;
    }
    if (!w->heading && w->text.len == 0 && w->code.len == 0 &&
        w->labels.len == 0)
        return;
    if (doc->n_sections == w->sections_cap) {
        cap = w->sections_cap ? w->sections_cap * 2 : 8;
        sec = realloc(doc->sections, cap * sizeof(*sec));
        if (!sec) {
            w->oom = 1;
            return;
        }
        doc->sections = sec;
        w->sections_cap = cap;
    }
    sec = &doc->sections[doc->n_sections];
    memset(sec, 0, sizeof(*sec));
    sec->text = strbuf_detach(&w->text, &sec->text_len);
    sec->code = strbuf_detach(&w->code, &sec->code_len);
    sec->labels = strbuf_detach(&w->labels, &sec->labels_len);
    w->in_label = 0;
    if (!sec->text || !sec->code || !sec->labels) {
        free(sec->text);
        free(sec->code);
        free(sec->labels);
        w->oom = 1;
        return;
    }
    sec->heading = w->heading;
    sec->anchor = w->anchor;
    sec->level = w->level;
    w->heading = w->anchor = NULL;
    w->pending = SEP_NONE;
    doc->n_sections++;
}

/* Appends the plain text of the inlines under `node`. */
static void
inline_text(cmark_node *node, strbuf *out)
{
    cmark_iter *it = cmark_iter_new(node);
    cmark_event_type ev;
    cmark_node *n;
    const char *lit;

    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        if (ev != CMARK_EVENT_ENTER)
            continue;
        n = cmark_iter_get_node(it);
        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
            lit = cmark_node_get_literal(n);
            for (; lit && *lit; lit++)
                if (*lit != SC_LABEL_START && *lit != SC_LABEL_END)
                    strbuf_putc(out, *lit);
            break;
        case CMARK_NODE_SOFTBREAK:
        case CMARK_NODE_LINEBREAK:
            strbuf_putc(out, ' ');
            break;
        default:
            break;
        }
    }
    cmark_iter_free(it);
}

/* Splits a trailing Hugo attribute block ("Title {#id .class}") off the
 * heading s[0..*len): shortens *len and returns the id (malloc()ed), or
 * NULL when there is no id. */
static char *
heading_attributes(const char *s, size_t *len)
{
    size_t e = *len, b, i, j;
    char *id = NULL;

    if (e < 3 || s[e - 1] != '}')
        return NULL;
    for (b = e - 1; b > 0 && s[b - 1] != '{' && s[b - 1] != '}'; b--)
        ;
    if (b == 0 || s[b - 1] != '{' || (s[b] != '#' && s[b] != '.'))
        return NULL;
    for (i = b; i < e - 1; i = j) {
        for (j = i; j < e - 1 && !is_ws(s[j]); j++)
            ;
        if (s[i] == '#' && j > i + 1 && !id)
            id = util_strndup(s + i + 1, j - i - 1);
        while (j < e - 1 && is_ws(s[j]))
            j++;
    }
    for (*len = b - 1; *len > 0 && is_ws(s[*len - 1]); (*len)--)
        ;
    return id;
}

/* Starts the section of heading `node`. */
static void
start_section(walker *w, cmark_node *node)
{
    strbuf h = STRBUF_INIT;
    size_t b = 0, len;
    char *id, *base;

    flush_section(w);
    inline_text(node, &h);
    len = h.len;
    while (b < len && is_ws(h.data[b]))
        b++;
    while (len > b && is_ws(h.data[len - 1]))
        len--;
    len -= b;
    id = heading_attributes(h.data ? h.data + b : "", &len);
    w->heading = util_strndup(h.data ? h.data + b : "", len);
    base = id ? id : md_anchorize(w->heading ? w->heading : "", len);
    if (base && !*base && !id) {
        free(base);
        base = util_strdup("heading");
    }
    w->anchor = base ? anchor_unique(&w->anchors, base) : NULL;
    w->level = cmark_node_get_heading_level(node);
    free(base);
    strbuf_free(&h);
    if (!w->heading || !w->anchor || h.oom)
        w->oom = 1;
}

/* Collapses each run of white space in b to one newline if it holds one,
 * else to one space, as a browser lays out HTML source. */
static void
collapse_ws(strbuf *b)
{
    size_t i, o = 0;
    int in_ws = 0, nl = 0;

    for (i = 0; i < b->len; i++) {
        char c = b->data[i];
        if (is_ws(c)) {
            in_ws = 1;
            nl |= c == '\n';
            continue;
        }
        if (in_ws)
            b->data[o++] = nl ? '\n' : ' ';
        in_ws = nl = 0;
        b->data[o++] = c;
    }
    if (in_ws)
        b->data[o++] = nl ? '\n' : ' ';
    b->len = o;
    if (b->data)
        b->data[o] = '\0';
}

static void
html_block(walker *w, const char *lit)
{
    strbuf t = STRBUF_INIT;
    size_t b = 0, e;

    if (!lit)
        return;
    html_to_text(lit, strlen(lit), &t);
    collapse_ws(&t);
    e = t.len;
    while (b < e && is_ws(t.data[b]))
        b++;
    while (e > b && is_ws(t.data[e - 1]))
        e--;
    separate(w, SEP_BLOCK);
    if (e > b)
        put_text(w, t.data + b, e - b);
    if (t.oom)
        w->oom = 1;
    strbuf_free(&t);
}

static void
inline_html(walker *w, const char *lit)
{
    size_t nl = 0;

    if (!lit || lit[0] != '<')
        return;
    lit += 1 + (lit[1] == '/');
    while (is_alpha(lit[nl]) || (nl > 0 && lit[nl] >= '0' && lit[nl] <= '9'))
        nl++;
    if (tag_breaks(lit, nl))
        separate(w, SEP_SPACE);
}

static void
code_block(walker *w, const char *lit)
{
    if (!lit)
        return;
    /* A block holding markers is a text shortcode: only the stored code
     * counts, whatever cmark made of the fence around it. */
    if (!memchr(lit, SC_MARK_START, strlen(lit)) ||
        !put_marked_code(w, lit, strlen(lit)))
        put_code(w, lit, strlen(lit));
}

/* Handles a node of a type cmark-gfm's extensions define (table, table
 * row, table cell, strikethrough). */
static void
extension_node(walker *w, cmark_node *node)
{
    const char *type = cmark_node_get_type_string(node);

    if (strcmp(type, "table") == 0) {
        separate(w, SEP_BLOCK);
    } else if (strcmp(type, "table_row") == 0 ||
               strcmp(type, "table_header") == 0) {
        separate(w, SEP_LINE);
    } else if (strcmp(type, "table_cell") == 0) {
        separate(w, SEP_CELL);
    }
}

static void
walk(walker *w, cmark_node *root)
{
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    cmark_node *n;
    const char *lit;

    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE && !w->oom) {
        n = cmark_iter_get_node(it);
        if (ev != CMARK_EVENT_ENTER)
            continue;
        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_HEADING:
            start_section(w, n);
            cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
            break;
        case CMARK_NODE_PARAGRAPH:
        case CMARK_NODE_THEMATIC_BREAK:
            separate(w, SEP_BLOCK);
            break;
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
            lit = cmark_node_get_literal(n);
            put_text(w, lit, lit ? strlen(lit) : 0);
            break;
        case CMARK_NODE_SOFTBREAK:
            separate(w, SEP_SOFT);
            break;
        case CMARK_NODE_LINEBREAK:
            separate(w, SEP_LINE);
            break;
        case CMARK_NODE_CODE_BLOCK:
            code_block(w, cmark_node_get_literal(n));
            break;
        case CMARK_NODE_LINK:
        case CMARK_NODE_IMAGE:
            lit = cmark_node_get_url(n);
            if (lit && *lit &&
                ingest_doc_add_link(w->doc, lit, strlen(lit)) != 0)
                w->oom = 1;
            break;
        case CMARK_NODE_HTML_BLOCK:
            html_block(w, cmark_node_get_literal(n));
            break;
        case CMARK_NODE_HTML_INLINE:
            inline_html(w, cmark_node_get_literal(n));
            break;
        default:
            if (cmark_node_get_syntax_extension(n))
                extension_node(w, n);
            break;
        }
    }
    cmark_iter_free(it);
}

/*
 * Guards against the quadratic cases of cmark-gfm 0.29.0.gfm.6 (Debian 12),
 * fixed in later releases:
 *  - a table gets every row padded to the delimiter row's column count, so
 *    a delimiter row of thousands of columns over many rows explodes: when
 *    columns times lines could pass MAX_TABLE_CELLS, the body is parsed
 *    without tables (the cells' text is still extracted, as paragraphs);
 *  - the autolink extension is quadratic in the number of e-mail addresses
 *    in a paragraph.  It changes which text is a link, never the text, so
 *    with more than MAX_AUTOLINK_ATS '@' it is simply left out.
 */
#define MAX_TABLE_CELLS 400000
#define MAX_AUTOLINK_ATS 1000

/* Columns of the widest line that looks like a table delimiter row. */
static size_t
widest_delimiter_row(const char *s, size_t len)
{
    size_t i = 0, cols, widest = 0;
    int ok;

    while (i < len) {
        cols = 0;
        ok = 1;
        for (; i < len && s[i] != '\n'; i++) {
            char c = s[i];
            if (c == '-') {
                if (i == 0 || s[i - 1] != '-')
                    cols++;
            } else if (c != '|' && c != ':' && c != ' ' && c != '\t' &&
                       c != '>') {
                ok = 0;
            }
        }
        if (ok && cols > widest)
            widest = cols;
        i++;
    }
    return widest;
}

static size_t
count_char(const char *s, size_t len, char c)
{
    const char *p;
    size_t n = 0, i = 0;

    while (i < len && (p = memchr(s + i, c, len - i)) != NULL) {
        n++;
        i = (size_t)(p - s) + 1;
    }
    return n;
}

static cmark_parser *
new_parser(const char *md, size_t len)
{
    static const char *const exts[] = {"table", "autolink", "strikethrough",
                                       "tagfilter", "tasklist"};
    size_t cols = widest_delimiter_row(md, len);
    int tables = cols * (count_char(md, len, '\n') + 1) <= MAX_TABLE_CELLS;
    int autolinks = count_char(md, len, '@') <= MAX_AUTOLINK_ATS;
    cmark_parser *parser;
    cmark_syntax_extension *ext;
    size_t i;

    cmark_gfm_core_extensions_ensure_registered();
    parser = cmark_parser_new(CMARK_OPT_DEFAULT | CMARK_OPT_FOOTNOTES);
    if (!parser)
        return NULL;
    for (i = 0; i < UTIL_ARRAY_LEN(exts); i++) {
        if ((i == 0 && !tables) || (i == 1 && !autolinks))
            continue;
        ext = cmark_find_syntax_extension(exts[i]);
        if (ext)
            cmark_parser_attach_syntax_extension(parser, ext);
    }
    return parser;
}

recap_status
md_extract(const char *body, size_t len, unsigned first_line, ingest_doc *doc,
           ingest_warn_fn warn, void *warn_ctx, char **errmsg)
{
    md_env env = {NULL, NULL, NULL, warn, warn_ctx};

    return md_extract_env(body, len, first_line, doc, &env, errmsg);
}

recap_status
md_extract_env(const char *body, size_t len, unsigned first_line,
               ingest_doc *doc, const md_env *env, char **errmsg)
{
    sc_warner warner = {env->warn, env->warn_ctx, doc->path, first_line};
    sc_env scenv = {env->cfg, doc, env->root, env->default_lang};
    sc_codes codes = SC_CODES_INIT;
    strbuf md = STRBUF_INIT;
    cmark_parser *parser = NULL;
    cmark_node *root = NULL;
    walker w;
    recap_status rc = RECAP_OK;

    (void)errmsg; /* every body parses: nothing is fatal but memory */
    memset(&w, 0, sizeof(w));
    w.doc = doc;
    w.codes = &codes;
    w.sections_cap = doc->n_sections;
    if (sc_expand(body, len, &md, &codes, &warner, &scenv) < 0) {
        rc = RECAP_ENOMEM;
        goto done;
    }
    parser = new_parser(md.data ? md.data : "", md.len);
    if (!parser) {
        rc = RECAP_ENOMEM;
        goto done;
    }
    cmark_parser_feed(parser, md.data ? md.data : "", md.len);
    root = cmark_parser_finish(parser);
    if (!root) {
        rc = RECAP_ENOMEM;
        goto done;
    }
    walk(&w, root);
    flush_section(&w);
    if (w.oom)
        rc = RECAP_ENOMEM;
done:
    if (root)
        cmark_node_free(root);
    if (parser)
        cmark_parser_free(parser);
    free(w.heading);
    free(w.anchor);
    strbuf_free(&w.text);
    strbuf_free(&w.code);
    strbuf_free(&w.labels);
    anchor_set_free(&w.anchors);
    sc_codes_free(&codes);
    strbuf_free(&md);
    return rc;
}
