/*
 * sitecfg.c: the site configuration the indexer reads a site with: the
 * shortcode table (what each shortcode contributes to the page), the site
 * parameters version shortcodes take their values from, which unpublished
 * pages to index anyway, and the run's count of unknown shortcodes.
 *
 * Both files are front matter without delimiters, read by the front-matter
 * parser (YAML, or TOML/JSON by extension), so nested keys arrive flattened
 * with dots.  The shortcode table maps a name to a behaviour, or to a
 * mapping with `behaviour` and its options:
 *
 *     tip: container
 *     tab: {behaviour: container, label: name}
 *     text: {behaviour: code, at-links: true}
 *     image: {behaviour: caption-args, args: [caption, alt, title]}
 *     gloss: inline-term
 *     boilerplate: {behaviour: include, dir: boilerplates}
 *     istio_full_version: {behaviour: param, param: full_version}
 *     github_file: {behaviour: link-text, param: github_file}
 *     istioctl: {behaviour: text, text: istioctl}
 *     security_bulletin:
 *       behaviour: front-matter
 *       fields: {cves: CVE, cvss: CVSS Impact Score}
 *     relnote: drop
 *
 * The parameters file is a mapping of names to values (`full_version:
 * 1.27.1`); nested mappings give dotted names.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fm_internal.h"
#include "ingest.h"
#include "util.h"

/* Hugo's own shortcodes and a few that most documentation themes share;
 * a table file adds to them and overrides them. */
static const char *const caption_args[] = {"caption", "alt", "title"};
static const char *const tab_labels[] = {"name", "header", "title"};
static const char *const details_labels[] = {"summary"};
static const sc_rule builtin[] = {
    {"comment", SC_DROP, NULL, 0, NULL, NULL, 0, 0},
    {"details", SC_CONTAINER, details_labels, 1, NULL, NULL, 0, 0},
    {"figure", SC_CAPTION, caption_args, 3, NULL, NULL, 0, 0},
    {"gist", SC_DROP, NULL, 0, NULL, NULL, 0, 0},
    {"highlight", SC_CODE, NULL, 0, NULL, NULL, 0, 0},
    {"image", SC_CAPTION, caption_args, 3, NULL, NULL, 0, 0},
    {"instagram", SC_DROP, NULL, 0, NULL, NULL, 0, 0},
    {"mermaid", SC_CODE, NULL, 0, NULL, NULL, 0, 0},
    {"param", SC_PARAM, NULL, 0, NULL, NULL, 0, 0},
    {"qr", SC_DROP, NULL, 0, NULL, NULL, 0, 0},
    {"ref", SC_LINK, NULL, 0, NULL, NULL, 0, 0},
    {"relref", SC_LINK, NULL, 0, NULL, NULL, 0, 0},
    {"tab", SC_CONTAINER, tab_labels, 3, NULL, NULL, 0, 0},
    {"tabs", SC_CONTAINER, NULL, 0, NULL, NULL, 0, 0},
    {"text", SC_CODE, NULL, 0, NULL, NULL, 0, 0},
    {"tweet", SC_DROP, NULL, 0, NULL, NULL, 0, 0},
    {"vimeo", SC_DROP, NULL, 0, NULL, NULL, 0, 0},
    {"x", SC_DROP, NULL, 0, NULL, NULL, 0, 0},
    {"youtube", SC_DROP, NULL, 0, NULL, NULL, 0, 0},
};

static const struct {
    const char *name;
    sc_behaviour behaviour;
} behaviour_names[] = {
    {"container", SC_CONTAINER},
    {"code", SC_CODE},
    {"caption-args", SC_CAPTION},
    {"inline-term", SC_TERM},
    {"include", SC_INCLUDE},
    {"param", SC_PARAM},
    {"link-text", SC_LINK},
    {"text", SC_TEXT},
    {"front-matter", SC_FRONT_MATTER},
    {"drop", SC_DROP},
};

typedef struct unknown_entry {
    char *name;
    uint64_t count;
} unknown_entry;

struct sitecfg {
    sc_rule *rules; /* sorted by name */
    size_t n_rules;
    /* Each rule's lists, owned here; the strings belong to table_doc. */
    const char **lists;
    ingest_doc *table_doc;
    ingest_doc *params_doc;
    unsigned include;

    pthread_mutex_t lock;
    unknown_entry *unknown;
    size_t n_unknown, cap_unknown;
};

static int
cmp_rule(const void *a, const void *b)
{
    return strcmp(((const sc_rule *)a)->name, ((const sc_rule *)b)->name);
}

/* Reads `path` as front matter into a new doc. */
static recap_status
load_doc(const char *path, const char *what, ingest_doc **out, char **errmsg)
{
    ingest_doc *doc = calloc(1, sizeof(*doc));
    const char *dot = strrchr(path, '.');
    char *src = NULL, *msg = NULL;
    size_t len;
    fm_kind kind = FM_YAML;
    recap_status rc;

    if (!doc)
        return RECAP_ENOMEM;
    if (util_read_file(path, &src, &len) != 0) {
        if (errmsg)
            *errmsg = util_asprintf("cannot read the %s file %s", what, path);
        free(doc);
        return RECAP_EIO;
    }
    if (dot && strcmp(dot, ".toml") == 0)
        kind = FM_TOML;
    else if (dot && strcmp(dot, ".json") == 0)
        kind = FM_JSON;
    rc = fm_parse(kind, src, len, 1, doc, &msg);
    free(src);
    if (rc == RECAP_EPARSE && errmsg)
        *errmsg = util_asprintf("%s file %s: %s", what, path,
                                msg ? msg : "syntax error");
    free(msg);
    if (rc != RECAP_OK) {
        ingest_doc_free(doc);
        return rc;
    }
    *out = doc;
    return RECAP_OK;
}

/* The rule named `name` (len bytes) in cfg->rules, creating it. */
static sc_rule *
rule_for(sitecfg *cfg, const char *name, size_t len, size_t *cap)
{
    sc_rule *r;
    size_t i;

    for (i = 0; i < cfg->n_rules; i++)
        if (strlen(cfg->rules[i].name) == len &&
            memcmp(cfg->rules[i].name, name, len) == 0)
            return &cfg->rules[i];
    if (cfg->n_rules == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        r = realloc(cfg->rules, *cap * sizeof(*r));
        if (!r)
            return NULL;
        cfg->rules = r;
    }
    r = &cfg->rules[cfg->n_rules];
    memset(r, 0, sizeof(*r));
    r->name = util_strndup(name, len);
    if (!r->name)
        return NULL;
    cfg->n_rules++;
    return r;
}

static int
parse_behaviour(const char *v, sc_behaviour *out)
{
    size_t i;

    for (i = 0; i < UTIL_ARRAY_LEN(behaviour_names); i++)
        if (strcmp(v, behaviour_names[i].name) == 0) {
            *out = behaviour_names[i].behaviour;
            return 0;
        }
    return -1;
}

/* Counts the list entries the table needs (args, labels, fields). */
static size_t
count_list_values(const ingest_doc *doc)
{
    size_t i, n = 0;

    for (i = 0; i < doc->n_fields; i++)
        n += doc->fields[i].n_values + 1;
    return n;
}

/* Applies one field of the table ("tab.label" = "name") to its rule. */
static recap_status
apply_field(sitecfg *cfg, const ingest_field *f, size_t *cap, size_t *n_lists,
            char **errmsg)
{
    const char *dot = strchr(f->key, '.');
    const char *opt = dot ? dot + 1 : "behaviour";
    size_t name_len = dot ? (size_t)(dot - f->key) : strlen(f->key), i;
    sc_rule *r = rule_for(cfg, f->key, name_len, cap);
    const char *v = f->n_values ? f->values[0] : "";

    if (!r)
        return RECAP_ENOMEM;
    if (strcmp(opt, "behaviour") == 0 || strcmp(opt, "behavior") == 0) {
        if (parse_behaviour(v, &r->behaviour) != 0)
            goto bad;
    } else if (strcmp(opt, "args") == 0 || strcmp(opt, "label") == 0) {
        r->args = cfg->lists + *n_lists;
        r->n_args = f->n_values;
        for (i = 0; i < f->n_values; i++)
            cfg->lists[(*n_lists)++] = f->values[i];
    } else if (strcmp(opt, "param") == 0 || strcmp(opt, "text") == 0 ||
               strcmp(opt, "dir") == 0) {
        r->value = v;
    } else if (strcmp(opt, "at-links") == 0) {
        r->at_links = strcmp(v, "true") == 0;
    } else if (strncmp(opt, "fields.", 7) == 0) {
        /* fields: {cves: CVE, ...}: keys and labels, interleaved in lists
         * as they arrive; each rule's fields are contiguous in the file. */
        if (!r->fields)
            r->fields = cfg->lists + *n_lists;
        cfg->lists[(*n_lists)++] = opt + 7;
        cfg->lists[(*n_lists)++] = v;
        r->n_fields++;
    } else {
        goto bad;
    }
    return RECAP_OK;
bad:
    if (errmsg)
        *errmsg = util_asprintf(
            "shortcode table: %s: unknown option or behaviour '%s' (options: "
            "behaviour, label, args, param, text, dir, at-links, fields; "
            "behaviours: container, code, caption-args, inline-term, include, "
            "param, link-text, text, front-matter, drop)",
            f->key, dot ? opt : v);
    return RECAP_EPARSE;
}

static recap_status
load_table(sitecfg *cfg, const char *path, char **errmsg)
{
    size_t cap = 0, n_lists = 0, i;
    recap_status rc;

    for (i = 0; i < UTIL_ARRAY_LEN(builtin); i++) {
        sc_rule *r =
            rule_for(cfg, builtin[i].name, strlen(builtin[i].name), &cap);
        const char *name;
        if (!r)
            return RECAP_ENOMEM;
        name = r->name;
        *r = builtin[i];
        r->name = name;
    }
    if (path) {
        rc = load_doc(path, "shortcode table", &cfg->table_doc, errmsg);
        if (rc != RECAP_OK)
            return rc;
        /* fields lists hold two entries per value: twice the count. */
        cfg->lists = calloc(2 * count_list_values(cfg->table_doc) + 1,
                            sizeof(*cfg->lists));
        if (!cfg->lists)
            return RECAP_ENOMEM;
        for (i = 0; i < cfg->table_doc->n_fields; i++) {
            rc = apply_field(cfg, &cfg->table_doc->fields[i], &cap, &n_lists,
                             errmsg);
            if (rc != RECAP_OK)
                return rc;
        }
    }
    qsort(cfg->rules, cfg->n_rules, sizeof(*cfg->rules), cmp_rule);
    return RECAP_OK;
}

recap_status
sitecfg_new(const char *shortcodes_file, const char *params_file,
            unsigned include, sitecfg **out, char **errmsg)
{
    sitecfg *cfg = calloc(1, sizeof(*cfg));
    recap_status rc;

    *out = NULL;
    if (!cfg)
        return RECAP_ENOMEM;
    pthread_mutex_init(&cfg->lock, NULL);
    cfg->include = include;
    rc = load_table(cfg, shortcodes_file, errmsg);
    if (rc == RECAP_OK && params_file)
        rc = load_doc(params_file, "site parameters", &cfg->params_doc, errmsg);
    if (rc != RECAP_OK) {
        sitecfg_free(cfg);
        return rc;
    }
    *out = cfg;
    return RECAP_OK;
}

void
sitecfg_free(sitecfg *cfg)
{
    size_t i;

    if (!cfg)
        return;
    for (i = 0; i < cfg->n_rules; i++)
        free((char *)cfg->rules[i].name);
    free(cfg->rules);
    free(cfg->lists);
    ingest_doc_free(cfg->table_doc);
    ingest_doc_free(cfg->params_doc);
    for (i = 0; i < cfg->n_unknown; i++)
        free(cfg->unknown[i].name);
    free(cfg->unknown);
    pthread_mutex_destroy(&cfg->lock);
    free(cfg);
}

unsigned
sitecfg_include(const sitecfg *cfg)
{
    return cfg ? cfg->include : 0;
}

/* Binary search of rules[0..n) for name[0..len). */
static const sc_rule *
find_rule(const sc_rule *rules, size_t n, const char *name, size_t len)
{
    size_t lo = 0, hi = n, mid;
    int c;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        c = strncmp(rules[mid].name, name, len);
        if (c == 0 && rules[mid].name[len] != '\0')
            c = 1;
        if (c == 0)
            return &rules[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const sc_rule *
sitecfg_rule(const sitecfg *cfg, const char *name, size_t len)
{
    const sc_rule *r;

    if (cfg)
        r = find_rule(cfg->rules, cfg->n_rules, name, len);
    else
        r = find_rule(builtin, UTIL_ARRAY_LEN(builtin), name, len);
    return r && r->behaviour != SC_UNKNOWN ? r : NULL;
}

const char *
sitecfg_param(const sitecfg *cfg, const char *key, size_t len)
{
    const ingest_doc *d = cfg ? cfg->params_doc : NULL;
    size_t i;

    for (i = 0; d && i < d->n_fields; i++)
        if (strlen(d->fields[i].key) == len &&
            memcmp(d->fields[i].key, key, len) == 0)
            return d->fields[i].n_values ? d->fields[i].values[0] : NULL;
    return NULL;
}

static int
add_unknown(sitecfg *cfg, const char *name, uint64_t count)
{
    unknown_entry *u;
    size_t i;

    for (i = 0; i < cfg->n_unknown; i++)
        if (strcmp(cfg->unknown[i].name, name) == 0) {
            cfg->unknown[i].count += count;
            return 0;
        }
    if (cfg->n_unknown == cfg->cap_unknown) {
        size_t cap = cfg->cap_unknown ? cfg->cap_unknown * 2 : 16;
        u = realloc(cfg->unknown, cap * sizeof(*u));
        if (!u)
            return -1;
        cfg->unknown = u;
        cfg->cap_unknown = cap;
    }
    if (!(cfg->unknown[cfg->n_unknown].name = util_strdup(name)))
        return -1;
    cfg->unknown[cfg->n_unknown++].count = count;
    return 0;
}

static int
cmp_unknown(const void *a, const void *b)
{
    const unknown_entry *x = a, *y = b;

    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->name, y->name);
}

int
sitecfg_count_unknown(sitecfg *cfg, const ingest_doc *doc)
{
    size_t i;
    int rc = 0;

    if (!cfg || !doc->n_unknown)
        return 0;
    pthread_mutex_lock(&cfg->lock);
    for (i = 0; i < doc->n_unknown && rc == 0; i++)
        rc = add_unknown(cfg, doc->unknown[i], doc->unknown_count[i]);
    qsort(cfg->unknown, cfg->n_unknown, sizeof(*cfg->unknown), cmp_unknown);
    pthread_mutex_unlock(&cfg->lock);
    return rc;
}

void
sitecfg_reset_unknown(sitecfg *cfg)
{
    size_t i;

    if (!cfg)
        return;
    pthread_mutex_lock(&cfg->lock);
    for (i = 0; i < cfg->n_unknown; i++)
        free(cfg->unknown[i].name);
    cfg->n_unknown = 0;
    pthread_mutex_unlock(&cfg->lock);
}

size_t
sitecfg_unknown_count(const sitecfg *cfg)
{
    return cfg ? cfg->n_unknown : 0;
}

const char *
sitecfg_unknown(const sitecfg *cfg, size_t i, uint64_t *count)
{
    if (!cfg || i >= cfg->n_unknown) {
        if (count)
            *count = 0;
        return NULL;
    }
    if (count)
        *count = cfg->unknown[i].count;
    return cfg->unknown[i].name;
}
