/*
 * facets.c: facet counts with Xapian match spies (see facets.h).
 */
#include "facets.h"

#include <stdlib.h>
#include <string.h>

#include "index_int.h"
#include "results_int.h"
#include "schema.h"
#include "util.h"

/* The facets a search may ask for, by name. */
static const struct facet_kind {
    const char *name, *alias;
    xap_slot slot;
    int multi; /* values separated by SCHEMA_VALUE_SEP */
} kinds[] = {
    {"section", NULL, SCHEMA_SLOT_SECTION, 0},
    {"year", NULL, SCHEMA_SLOT_YEAR, 0},
    {"tag", "tags", SCHEMA_SLOT_TAGS, 1},
    {"author", "authors", SCHEMA_SLOT_AUTHOR, 1},
    {"lang", NULL, SCHEMA_SLOT_LANG, 0},
};

#define MAX_FACETS UTIL_ARRAY_LEN(kinds)

struct facets {
    size_t n;
    const struct facet_kind *kind[MAX_FACETS];
    xap_spy *spy[MAX_FACETS];
};

static const struct facet_kind *
find_kind(const char *name, size_t len)
{
    for (size_t i = 0; i < MAX_FACETS; i++)
        if ((strlen(kinds[i].name) == len &&
             memcmp(kinds[i].name, name, len) == 0) ||
            (kinds[i].alias && strlen(kinds[i].alias) == len &&
             memcmp(kinds[i].alias, name, len) == 0))
            return &kinds[i];
    return NULL;
}

static int
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Adds the facet named s[0..len) (trimmed) unless it is there already. */
static recap_status
add_name(recap_index *idx, facets *f, const char *s, size_t len)
{
    const struct facet_kind *k;
    xap_error err;

    while (len > 0 && is_blank(*s))
        s++, len--;
    while (len > 0 && is_blank(s[len - 1]))
        len--;
    if (len == 0)
        return RECAP_OK;
    if (!(k = find_kind(s, len)))
        return index_fail(idx, RECAP_EINVAL,
                          "unknown facet '%.*s': expected section, year, "
                          "tag, author or lang",
                          (int)(len > 64 ? 64 : len), s);
    for (size_t i = 0; i < f->n; i++)
        if (f->kind[i] == k)
            return RECAP_OK;
    if (xap_spy_new(k->slot, k->multi ? SCHEMA_VALUE_SEP : -1, &f->spy[f->n],
                    &err))
        return index_fail_xap(idx, &err, "counting facets");
    f->kind[f->n++] = k;
    return RECAP_OK;
}

recap_status
facets_new(recap_index *idx, const char *names, facets **out)
{
    facets *f;
    recap_status rc = RECAP_OK;
    const char *p = names;

    *out = NULL;
    if (!names)
        return RECAP_OK;
    if (!(f = calloc(1, sizeof *f)))
        return index_fail(idx, RECAP_ENOMEM, "out of memory");
    while (rc == RECAP_OK) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        rc = add_name(idx, f, p, len);
        if (!comma)
            break;
        p = comma + 1;
    }
    if (rc != RECAP_OK || f->n == 0) {
        facets_free(f);
        return rc;
    }
    *out = f;
    return RECAP_OK;
}

void
facets_free(facets *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        xap_spy_free(f->spy[i]);
    free(f);
}

recap_status
facets_attach(facets *f, xap_enquire *e, xap_error *err)
{
    recap_status rc;

    for (size_t i = 0; f && i < f->n; i++)
        if ((rc = xap_enquire_add_spy(e, f->spy[i], err)))
            return rc;
    return RECAP_OK;
}

uint32_t
facets_check_at_least(const facets *f, uint32_t wanted, uint32_t doccount)
{
    return f && doccount > wanted ? doccount : wanted;
}

typedef struct value_list {
    facet_value *v;
    size_t n, cap;
    int oom;
} value_list;

static int
add_value(void *ctx, const char *value, size_t len, uint32_t count)
{
    value_list *l = ctx;

    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        facet_value *v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            l->oom = 1;
            return 1;
        }
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n].value = util_strndup(value, len))) {
        l->oom = 1;
        return 1;
    }
    l->v[l->n++].count = count;
    return 0;
}

/* Most frequent first; equal counts in byte order of the values (the
 * order they came in, kept by comparing the values). */
static int
value_cmp(const void *a, const void *b)
{
    const facet_value *x = a, *y = b;

    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->value, y->value);
}

static recap_status
collect_one(facets *f, size_t i, recap_facet *out)
{
    value_list l = {NULL, 0, 0, 0};

    if (!(out->name = util_strdup(f->kind[i]->name)))
        return RECAP_ENOMEM;
    if (xap_spy_each(f->spy[i], add_value, &l, NULL) || l.oom) {
        for (size_t j = 0; j < l.n; j++)
            free(l.v[j].value);
        free(l.v);
        return RECAP_ENOMEM;
    }
    if (l.n > 1)
        qsort(l.v, l.n, sizeof *l.v, value_cmp);
    while (l.n > FACETS_MAX_VALUES)
        free(l.v[--l.n].value);
    out->values = l.v;
    out->n_values = l.n;
    return RECAP_OK;
}

recap_status
facets_collect(facets *f, recap_results *res)
{
    if (!f)
        return RECAP_OK;
    if (!(res->facets = calloc(f->n, sizeof *res->facets)))
        return RECAP_ENOMEM;
    for (size_t i = 0; i < f->n; i++) {
        /* Counted before a failure can leave a half-built facet: the
         * results' free handles every field being NULL. */
        res->n_facets++;
        if (collect_one(f, i, &res->facets[i]))
            return RECAP_ENOMEM;
    }
    return RECAP_OK;
}
