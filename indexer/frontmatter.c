/*
 * frontmatter.c: finding the front matter at the top of a Hugo page and
 * parsing it into ingest_doc fields.  YAML goes through libyaml's event
 * API, JSON through jansson, TOML through the subset parser in fm_toml.c.
 * Nested mappings are flattened with dots ("build.render"), keys are
 * lower-cased (Hugo's keys are case-insensitive) and every value is kept
 * as the string written.  Hugo dates are parsed here too.
 */
#define _DEFAULT_SOURCE /* timegm, gmtime_r */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <yaml.h>

#include "fm_internal.h"
#include "ingest.h"
#include "util.h"

/* ---- helpers shared with fm_toml.c ---------------------------------------
 */

char *
fm_key(const char *prefix, const char *name, size_t name_len)
{
    strbuf b = STRBUF_INIT;
    size_t i;

    if (prefix) {
        strbuf_puts(&b, prefix);
        strbuf_putc(&b, '.');
    }
    for (i = 0; i < name_len; i++)
        strbuf_putc(&b, (char)tolower((unsigned char)name[i]));
    return strbuf_detach(&b, NULL);
}

int
fm_mark_list(ingest_doc *doc, const char *key)
{
    ingest_field *f = ingest_doc_field_make(doc, key);

    if (!f)
        return -1;
    f->is_list = 1;
    return 0;
}

recap_status
fm_error(char **errmsg, unsigned line, const char *fmt, ...)
{
    strbuf b = STRBUF_INIT;
    va_list ap;

    if (!errmsg)
        return RECAP_EPARSE;
    strbuf_printf(&b, "line %u: ", line);
    va_start(ap, fmt);
    strbuf_vprintf(&b, fmt, ap);
    va_end(ap);
    *errmsg = strbuf_detach(&b, NULL);
    return *errmsg ? RECAP_EPARSE : RECAP_ENOMEM;
}

/* ---- splitting ----------------------------------------------------------
 */

/* The end of the line starting at `p` (the offset of its '\n', or len). */
static size_t
line_end(const char *src, size_t len, size_t p)
{
    const char *nl = memchr(src + p, '\n', len - p);

    return nl ? (size_t)(nl - src) : len;
}

/* Whether src[p, end) is `delim` followed only by blanks (and '\r'). */
static int
is_delim_line(const char *src, size_t p, size_t end, const char *delim)
{
    if (end - p < 3 || memcmp(src + p, delim, 3) != 0)
        return 0;
    for (p += 3; p < end; p++)
        if (src[p] != ' ' && src[p] != '\t' && src[p] != '\r')
            return 0;
    return 1;
}

/* The offset just past the '}' matching the '{' at `p`, or 0 if none.
 * Braces inside JSON strings do not count. */
static size_t
json_end(const char *src, size_t len, size_t p)
{
    size_t depth = 0;
    int in_str = 0;

    for (; p < len; p++) {
        char c = src[p];
        if (in_str) {
            if (c == '\\')
                p++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{') {
            depth++;
        } else if (c == '}' && --depth == 0) {
            return p + 1;
        }
    }
    return 0;
}

static unsigned
count_lines(const char *src, size_t end)
{
    unsigned n = 1;
    size_t i;

    for (i = 0; i < end; i++)
        n += src[i] == '\n';
    return n;
}

fm_kind
fm_split(const char *src, size_t len, size_t *fm_off, size_t *fm_len,
         size_t *body_off, unsigned *body_line)
{
    fm_kind kind = FM_NONE;
    const char *delim = NULL;
    size_t p = 0, end, q;

    *fm_off = *fm_len = *body_off = 0;
    *body_line = 1;
    if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0)
        p = 3;
    /* Hugo skips white space before the front matter. */
    while (p < len && isspace((unsigned char)src[p]))
        p++;
    if (p < len && src[p] == '{') {
        /* An object starts with a key or is empty; "{{< note >}}" is a
         * shortcode at the top of a page without front matter. */
        for (q = p + 1; q < len && isspace((unsigned char)src[q]); q++)
            ;
        if (q == len || (src[q] != '"' && src[q] != '}'))
            return FM_NONE;
        end = json_end(src, len, p);
        if (!end)
            return FM_NONE;
        *fm_off = p;
        *fm_len = end - p;
        /* The rest of the closing brace's line belongs to no one. */
        q = line_end(src, len, end);
        *body_off = q < len ? q + 1 : len;
        *body_line = count_lines(src, *body_off);
        return FM_JSON;
    }
    end = line_end(src, len, p);
    if (is_delim_line(src, p, end, "---")) {
        kind = FM_YAML;
        delim = "---";
    } else if (is_delim_line(src, p, end, "+++")) {
        kind = FM_TOML;
        delim = "+++";
    } else {
        return FM_NONE;
    }
    if (end == len)
        return FM_NONE;
    for (q = end + 1; q < len; q = end + 1) {
        end = line_end(src, len, q);
        if (is_delim_line(src, q, end, delim)) {
            *fm_off = line_end(src, len, p) + 1;
            *fm_len = q - *fm_off;
            *body_off = end < len ? end + 1 : len;
            *body_line = count_lines(src, *body_off);
            return kind;
        }
        if (end == len)
            break;
    }
    return FM_NONE;
}

/* ---- YAML ---------------------------------------------------------------
 */

typedef struct yaml_ctx {
    yaml_parser_t parser;
    ingest_doc *doc;
    unsigned first_line;
    char **errmsg;
} yaml_ctx;

static recap_status
yaml_next(yaml_ctx *y, yaml_event_t *ev)
{
    if (yaml_parser_parse(&y->parser, ev))
        return RECAP_OK;
    if (y->parser.error == YAML_MEMORY_ERROR)
        return RECAP_ENOMEM;
    return fm_error(y->errmsg,
                    y->first_line + (unsigned)y->parser.problem_mark.line, "%s",
                    y->parser.problem ? y->parser.problem : "syntax error");
}

static unsigned
yaml_line(const yaml_ctx *y, const yaml_event_t *ev)
{
    return y->first_line + (unsigned)ev->start_mark.line;
}

static recap_status yaml_node(yaml_ctx *y, yaml_event_t *ev, const char *key,
                              int in_list, int depth);

/* Reads the pairs of a mapping whose MAPPING_START was just consumed. */
static recap_status
yaml_mapping(yaml_ctx *y, const char *prefix, int in_list, int depth)
{
    yaml_event_t kev, vev;
    recap_status rc;
    char *key;

    for (;;) {
        if ((rc = yaml_next(y, &kev)) != RECAP_OK)
            return rc;
        if (kev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&kev);
            return RECAP_OK;
        }
        if (kev.type != YAML_SCALAR_EVENT) {
            rc = fm_error(y->errmsg, yaml_line(y, &kev),
                          "only plain keys are supported");
            yaml_event_delete(&kev);
            return rc;
        }
        key = fm_key(prefix, (const char *)kev.data.scalar.value,
                     kev.data.scalar.length);
        yaml_event_delete(&kev);
        if (!key)
            return RECAP_ENOMEM;
        rc = yaml_next(y, &vev);
        if (rc == RECAP_OK)
            rc = yaml_node(y, &vev, key, in_list, depth + 1);
        free(key);
        if (rc != RECAP_OK)
            return rc;
    }
}

/* Stores the node that starts with `ev` (which this function deletes)
 * under `key`.  Sequences mark the field as a list; mappings inside them
 * flatten into list fields ("resources.src"). */
static recap_status
yaml_node(yaml_ctx *y, yaml_event_t *ev, const char *key, int in_list,
          int depth)
{
    recap_status rc = RECAP_OK;
    yaml_event_t item;

    if (depth > FM_MAX_DEPTH) {
        rc = fm_error(y->errmsg, yaml_line(y, ev),
                      "nesting deeper than %d levels", FM_MAX_DEPTH);
        yaml_event_delete(ev);
        return rc;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        if (ingest_doc_add_value(y->doc, key,
                                 (const char *)ev->data.scalar.value,
                                 ev->data.scalar.length, in_list) != 0)
            rc = RECAP_ENOMEM;
        yaml_event_delete(ev);
        return rc;
    case YAML_SEQUENCE_START_EVENT:
        yaml_event_delete(ev);
        if (fm_mark_list(y->doc, key) != 0)
            return RECAP_ENOMEM;
        for (;;) {
            if ((rc = yaml_next(y, &item)) != RECAP_OK)
                return rc;
            if (item.type == YAML_SEQUENCE_END_EVENT) {
                yaml_event_delete(&item);
                return RECAP_OK;
            }
            if ((rc = yaml_node(y, &item, key, 1, depth + 1)) != RECAP_OK)
                return rc;
        }
    case YAML_MAPPING_START_EVENT:
        yaml_event_delete(ev);
        return yaml_mapping(y, key, in_list, depth);
    default:
        /* Aliases: Hugo front matter does not use anchors; ignore. */
        yaml_event_delete(ev);
        return RECAP_OK;
    }
}

static recap_status
parse_yaml(const char *text, size_t len, unsigned first_line, ingest_doc *doc,
           char **errmsg)
{
    yaml_ctx y = {.doc = doc, .first_line = first_line, .errmsg = errmsg};
    yaml_event_t ev;
    recap_status rc;

    if (!yaml_parser_initialize(&y.parser))
        return RECAP_ENOMEM;
    yaml_parser_set_input_string(&y.parser, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&y.parser, YAML_UTF8_ENCODING);
    /* Stream start, then a document start unless the text is empty. */
    for (;;) {
        if ((rc = yaml_next(&y, &ev)) != RECAP_OK)
            goto done;
        if (ev.type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            goto done;
        }
        if (ev.type != YAML_STREAM_START_EVENT &&
            ev.type != YAML_DOCUMENT_START_EVENT)
            break;
        yaml_event_delete(&ev);
    }
    if (ev.type == YAML_MAPPING_START_EVENT) {
        yaml_event_delete(&ev);
        rc = yaml_mapping(&y, NULL, 0, 0);
    } else if (ev.type == YAML_SCALAR_EVENT && ev.data.scalar.length == 0) {
        yaml_event_delete(&ev); /* only comments */
    } else {
        rc = fm_error(errmsg, yaml_line(&y, &ev),
                      "front matter is not a mapping of keys to values");
        yaml_event_delete(&ev);
    }
    /* Read on to the end of the document so that syntax errors after the
     * last complete pair are reported too. */
    while (rc == RECAP_OK) {
        if ((rc = yaml_next(&y, &ev)) != RECAP_OK)
            break;
        if (ev.type == YAML_DOCUMENT_END_EVENT ||
            ev.type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        yaml_event_delete(&ev);
    }
done:
    yaml_parser_delete(&y.parser);
    return rc;
}

/* ---- JSON ---------------------------------------------------------------
 */

static recap_status
json_node(json_t *v, const char *key, int in_list, int depth, ingest_doc *doc)
{
    recap_status rc = RECAP_OK;
    const char *k;
    json_t *item;
    size_t i;
    char *s, *sub;

    if (depth > FM_MAX_DEPTH)
        return RECAP_EPARSE;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        json_object_foreach(v, k, item)
        {
            if (!(sub = fm_key(key, k, strlen(k))))
                return RECAP_ENOMEM;
            rc = json_node(item, sub, in_list, depth + 1, doc);
            free(sub);
            if (rc != RECAP_OK)
                return rc;
        }
        return RECAP_OK;
    case JSON_ARRAY:
        if (fm_mark_list(doc, key) != 0)
            return RECAP_ENOMEM;
        json_array_foreach(v, i, item)
        {
            if ((rc = json_node(item, key, 1, depth + 1, doc)) != RECAP_OK)
                return rc;
        }
        return RECAP_OK;
    case JSON_STRING:
        return ingest_doc_add_value(doc, key, json_string_value(v),
                                    json_string_length(v), in_list)
                   ? RECAP_ENOMEM
                   : RECAP_OK;
    case JSON_NULL:
        return ingest_doc_add_value(doc, key, "", 0, in_list) ? RECAP_ENOMEM
                                                              : RECAP_OK;
    default: /* numbers and booleans, in jansson's spelling */
        s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        if (!s || ingest_doc_add_value(doc, key, s, strlen(s), in_list))
            rc = RECAP_ENOMEM;
        free(s);
        return rc;
    }
}

static recap_status
parse_json(const char *text, size_t len, unsigned first_line, ingest_doc *doc,
           char **errmsg)
{
    json_error_t err;
    json_t *root;
    recap_status rc;

    root = json_loadb(text, len, JSON_DISABLE_EOF_CHECK, &err);
    if (!root)
        return fm_error(
            errmsg, first_line + (unsigned)(err.line > 0 ? err.line - 1 : 0),
            "%s", err.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return fm_error(errmsg, first_line, "front matter is not an object");
    }
    rc = json_node(root, NULL, 0, 0, doc);
    json_decref(root);
    if (rc == RECAP_EPARSE)
        return fm_error(errmsg, first_line, "nesting deeper than %d levels",
                        FM_MAX_DEPTH);
    return rc;
}

recap_status
fm_parse(fm_kind kind, const char *text, size_t len, unsigned first_line,
         ingest_doc *doc, char **errmsg)
{
    switch (kind) {
    case FM_YAML:
        return parse_yaml(text, len, first_line, doc, errmsg);
    case FM_JSON:
        return parse_json(text, len, first_line, doc, errmsg);
    case FM_TOML:
        return fm_parse_toml(text, len, first_line, doc, errmsg);
    default:
        return RECAP_OK;
    }
}

/* ---- dates --------------------------------------------------------------
 */

/* Reads exactly `n` digits at *p into *out, advancing *p. */
static int
read_digits(const char **p, const char *end, int n, int *out)
{
    int v = 0;

    if (end - *p < n)
        return 0;
    for (; n > 0; n--, (*p)++) {
        if (!isdigit((unsigned char)**p))
            return 0;
        v = v * 10 + (**p - '0');
    }
    *out = v;
    return 1;
}

static int
days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

    return month == 2 && leap ? 29 : days[month - 1];
}

/* Reads a zone: "Z", "+hh:mm", "+hhmm" or "+hh", optionally followed by a
 * name (" UTC", as Go's time.String() writes).  A name alone is accepted
 * only for UTC and GMT, whose offset is known. */
static int
read_zone(const char *p, const char *end, int *offset_out)
{
    int sign, hh, mm = 0, named_only;

    *offset_out = 0;
    if (p < end && *p == ' ')
        p++;
    named_only =
        p < end && isalpha((unsigned char)*p) && *p != 'Z' && *p != 'z';
    if (named_only)
        return (end - p == 3 &&
                (memcmp(p, "UTC", 3) == 0 || memcmp(p, "GMT", 3) == 0));
    if (p < end && (*p == 'Z' || *p == 'z')) {
        p++;
    } else if (p < end && (*p == '+' || *p == '-')) {
        sign = *p++ == '-' ? -1 : 1;
        if (!read_digits(&p, end, 2, &hh))
            return 0;
        if (p < end && *p == ':')
            p++;
        if (p < end && isdigit((unsigned char)*p) &&
            !read_digits(&p, end, 2, &mm))
            return 0;
        if (hh > 23 || mm > 59)
            return 0;
        *offset_out = sign * (hh * 3600 + mm * 60);
    }
    if (p < end && *p == ' ') {
        for (p++; p < end && isalpha((unsigned char)*p); p++)
            ;
    }
    return p == end;
}

int
fm_parse_date(const char *s, int64_t *unix_out, char **iso_out)
{
    const char *p, *end;
    struct tm tm = {0};
    int y, mo, d, h = 0, mi = 0, sec = 0, offset = 0, has_time = 0;
    time_t t;

    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    p = s;
    end = s + strlen(s);
    while (end > p && isspace((unsigned char)end[-1]))
        end--;
    if (!read_digits(&p, end, 4, &y) || p == end || *p++ != '-' ||
        !read_digits(&p, end, 2, &mo) || p == end || *p++ != '-' ||
        !read_digits(&p, end, 2, &d))
        return -1;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return -1;
    if (p < end) {
        if (*p != 'T' && *p != 't' && *p != ' ')
            return -1;
        p++;
        if (!read_digits(&p, end, 2, &h) || p == end || *p++ != ':' ||
            !read_digits(&p, end, 2, &mi))
            return -1;
        if (p < end && *p == ':') {
            p++;
            if (!read_digits(&p, end, 2, &sec))
                return -1;
            if (p < end && (*p == '.' || *p == ',')) {
                if (++p == end || !isdigit((unsigned char)*p))
                    return -1;
                while (p < end && isdigit((unsigned char)*p))
                    p++; /* fractions of a second are dropped */
            }
        }
        if (h > 23 || mi > 59 || sec > 60 || !read_zone(p, end, &offset))
            return -1;
        has_time = 1;
    }
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    t = timegm(&tm) - offset;
    if (unix_out)
        *unix_out = (int64_t)t;
    if (!iso_out)
        return 0;
    if (has_time && !gmtime_r(&t, &tm))
        return -1;
    *iso_out = has_time
                   ? util_asprintf("%04d-%02d-%02dT%02d:%02d:%02dZ",
                                   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                                   tm.tm_hour, tm.tm_min, tm.tm_sec)
                   : util_asprintf("%04d-%02d-%02d", y, mo, d);
    return *iso_out ? 0 : -1;
}
