/*
 * index.c: opening and closing an index, errors on the handle, version.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generation.h"
#include "index_int.h"
#include "limit.h"
#include "schema.h"
#include "util.h"

#ifndef RECAP_VERSION_STRING
#define RECAP_VERSION_STRING RECAP_VERSION
#endif

const char *
recap_version(void)
{
    return RECAP_VERSION_STRING;
}

const char *
recap_status_str(recap_status rc)
{
    switch (rc) {
    case RECAP_OK:
        return "success";
    case RECAP_ENOMEM:
        return "out of memory";
    case RECAP_EINVAL:
        return "invalid argument";
    case RECAP_ENOTFOUND:
        return "not found";
    case RECAP_ELOCKED:
        return "index is locked by another writer";
    case RECAP_ECORRUPT:
        return "index is damaged";
    case RECAP_EMODIFIED:
        return "index changed while reading";
    case RECAP_EQUERY:
        return "invalid query";
    case RECAP_EPARSE:
        return "cannot parse file";
    case RECAP_ESKIPPED:
        return "file not published";
    case RECAP_EIO:
        return "input/output error";
    case RECAP_EBACKEND:
        return "search backend error";
    case RECAP_EINTERNAL:
        return "internal error";
    }
    return "unknown status";
}

recap_status
index_fail(recap_index *idx, recap_status rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(idx->errmsg, sizeof(idx->errmsg), fmt, ap);
    va_end(ap);
    return rc;
}

recap_status
index_fail_xap(recap_index *idx, const xap_error *err, const char *what)
{
    return index_fail(idx, err->rc, "%s: %s", what, err->msg);
}

const char *
recap_index_errmsg(const recap_index *idx)
{
    return idx ? idx->errmsg : "no index handle";
}

analysis_stemmer *
index_stemmer(recap_index *idx, const char *lang)
{
    size_t i;

    if (!lang)
        return NULL;
    for (i = 0; i < idx->n_stemmers; i++)
        if (strcmp(idx->stemmers[i].lang, lang) == 0)
            return idx->stemmers[i].stemmer;
    if (idx->n_stemmers == INDEX_MAX_STEMMERS || strlen(lang) >= 16)
        return NULL; /* more languages than a site has: leave unstemmed */
    i = idx->n_stemmers++;
    strcpy(idx->stemmers[i].lang, lang);
    idx->stemmers[i].stemmer = analysis_stemmer_new(lang);
    /* A reader stems the words of the pages it shows, search after search
     * (snippet.c): it remembers them.  Writers are left as they were. */
    if (idx->mode == RECAP_OPEN_READ)
        (void)analysis_stemmer_cache(idx->stemmers[i].stemmer,
                                     INDEX_STEM_CACHE);
    return idx->stemmers[i].stemmer;
}

/* The language with the most documents, from the "L" filter terms. */
void
index_load_main_lang(recap_index *idx)
{
    xap_termiter *it = NULL;
    const char *term;
    size_t len;
    uint32_t freq, best = 0;
    xap_error err;

    strcpy(idx->main_lang, "en");
    if (xap_db_allterms(idx->db, SCHEMA_PREFIX_LANG, 1, &it, &err))
        return;
    while (xap_termiter_next(it, &term, &len, &freq, &err) == 1) {
        if (freq > best && len > 1 && len - 1 < sizeof(idx->main_lang)) {
            best = freq;
            memcpy(idx->main_lang, term + 1, len - 1);
            idx->main_lang[len - 1] = '\0';
        }
    }
    xap_termiter_free(it);
}

static recap_status
open_fail(recap_status rc, char **errmsg, const char *fmt, const char *path,
          const char *detail)
{
    if (errmsg)
        *errmsg = util_asprintf(fmt, path, detail);
    return rc;
}

recap_status
recap_index_open(const char *path, recap_open_mode mode, recap_index **out,
                 char **errmsg)
{
    static const xap_open_mode modes[] = {XAP_DB_READONLY, XAP_DB_OPEN,
                                          XAP_DB_CREATE_OR_OPEN};
    recap_index *idx;
    xap_error err;
    recap_status rc;

    if (errmsg)
        *errmsg = NULL;
    if (!path || !out || (unsigned)mode > RECAP_OPEN_CREATE)
        return open_fail(RECAP_EINVAL, errmsg, "%s%s", "invalid argument", "");
    idx = calloc(1, sizeof(*idx));
    if (!idx || !(idx->path = util_strdup(path))) {
        free(idx);
        return open_fail(RECAP_ENOMEM, errmsg, "%s%s", "out of memory", "");
    }
    idx->mode = mode;
    idx->ranking = (recap_ranking)RECAP_RANKING_INIT;
    /* Only a reader's pages cannot change under it between reopens. */
    idx->page_cache_bytes =
        mode == RECAP_OPEN_READ ? LIMIT_PAGE_CACHE_BYTES : 0;
    strcpy(idx->default_lang, "en");
    rc = mode == RECAP_OPEN_CREATE ? index_create_atomic(path, &err) : RECAP_OK;
    if (rc == RECAP_OK)
        rc = xap_db_open(path, modes[mode], &idx->db, &err);
    if (rc != RECAP_OK) {
        recap_index_close(idx);
        switch (rc) {
        case RECAP_ENOTFOUND:
            return open_fail(rc, errmsg,
                             "no index at %s: run recapsearch-index "
                             "CONTENT_DIR first%s",
                             path, "");
        case RECAP_ELOCKED: {
            /* Xapian's write lock is an fcntl() lock on this file: it goes
             * away with the process that holds it, never stale. */
            char *gen = NULL, *lock;
            /* In the generation layout the lock is the live generation's. */
            if (gen_current(path, &gen) == RECAP_OK)
                lock = util_asprintf("%s/%s/flintlock", path, gen);
            else
                lock = util_asprintf("%s/flintlock", path);
            free(gen);
            rc = open_fail(rc, errmsg,
                           "index at %s is locked by another writer: the "
                           "write lock on %s is held (is another "
                           "recapsearch-index running?); wait for it to "
                           "finish or stop it, then retry (the lock is "
                           "released when that process exits: do not delete "
                           "the file)",
                           path, lock ? lock : "flintlock");
            free(lock);
            return rc;
        }
        case RECAP_ECORRUPT:
            return open_fail(rc, errmsg,
                             "index at %s is damaged or from another "
                             "version: rebuild it with recapsearch-index "
                             "(%s)",
                             path, err.msg);
        default:
            return open_fail(rc, errmsg, "cannot open index at %s: %s", path,
                             err.msg);
        }
    }
    if (gen_current(path, &idx->gen) == RECAP_ENOMEM) {
        recap_index_close(idx);
        return open_fail(RECAP_ENOMEM, errmsg, "%s%s", "out of memory", "");
    }
    index_load_main_lang(idx);
    *out = idx;
    return RECAP_OK;
}

void
recap_index_close(recap_index *idx)
{
    size_t i;

    if (!idx)
        return;
    if (idx->teardown)
        idx->teardown(idx);
    if (idx->caches_free)
        idx->caches_free(idx);
    xap_db_free(idx->db);
    for (i = 0; i < idx->n_stemmers; i++)
        analysis_stemmer_free(idx->stemmers[i].stemmer);
    for (i = 0; i < idx->n_seen; i++)
        free(idx->seen[i]);
    free(idx->seen);
    free(idx->gen);
    free(idx->path);
    free(idx);
}

recap_status
recap_index_doc_count(recap_index *idx, uint64_t *out)
{
    uint32_t n;
    xap_error err;

    if (!idx || !out)
        return RECAP_EINVAL;
    if (xap_db_doccount(idx->db, &n, &err))
        return index_fail_xap(idx, &err, "counting documents");
    *out = n;
    return RECAP_OK;
}

const char *
recap_index_main_lang(recap_index *idx)
{
    return idx ? idx->main_lang : "en";
}

/*
 * A full build switches the stub to a new generation (generation.h), which
 * Xapian's reopen does not re-read: open the new one instead.  Returns -1
 * when out of memory; a generation that cannot be opened yet is left for
 * the next reopen.
 */
static int
follow_generation(recap_index *idx)
{
    char *now = NULL;
    xap_db *fresh = NULL;

    if (!idx->gen || idx->in_batch)
        return 0;
    if (gen_current(idx->path, &now) == RECAP_ENOMEM)
        return -1;
    if (now && strcmp(now, idx->gen) != 0 &&
        xap_db_open(idx->path,
                    idx->mode == RECAP_OPEN_READ ? XAP_DB_READONLY
                                                 : XAP_DB_OPEN,
                    &fresh, NULL) == RECAP_OK) {
        xap_db_free(idx->db);
        idx->db = fresh;
        idx->epoch++;
        free(idx->gen);
        idx->gen = now;
        now = NULL;
    }
    free(now);
    return 0;
}

/* Opens the index afresh in the handle's mode and swaps it in. */
static recap_status
reopen_fresh(recap_index *idx, unsigned *missing)
{
    xap_db *fresh = NULL;
    xap_error err;

    if (xap_db_open(idx->path,
                    idx->mode == RECAP_OPEN_READ ? XAP_DB_READONLY
                                                 : XAP_DB_OPEN,
                    &fresh, &err) != RECAP_OK)
        return index_fail_xap(idx, &err, "reopening the index");
    *missing = xap_db_missing_shards(fresh);
    xap_db_free(idx->db);
    idx->db = fresh;
    idx->epoch++;
    return RECAP_OK;
}

recap_status
index_drop_unreachable(recap_index *idx)
{
    unsigned before = xap_db_missing_shards(idx->db), after = 0;
    recap_status rc;

    if (idx->in_batch || idx->mode != RECAP_OPEN_READ ||
        !xap_db_has_remote_shards(idx->db))
        return RECAP_ENOTFOUND;
    if ((rc = reopen_fresh(idx, &after)) != RECAP_OK)
        return rc;
    index_load_main_lang(idx);
    return after > before ? RECAP_OK : RECAP_ENOTFOUND;
}

recap_status
recap_index_reopen(recap_index *idx)
{
    xap_error err;

    if (!idx)
        return RECAP_EINVAL;
    if (follow_generation(idx))
        return index_fail(idx, RECAP_ENOMEM, "out of memory");
    /* Shards left out may be back. */
    if (xap_db_missing_shards(idx->db) && !idx->in_batch) {
        unsigned missing;
        if (reopen_fresh(idx, &missing) == RECAP_OK) {
            index_load_main_lang(idx);
            return RECAP_OK;
        }
    }
    idx->epoch++;
    if (xap_db_reopen(idx->db, NULL, &err))
        return index_fail_xap(idx, &err, "reopening the index");
    index_load_main_lang(idx);
    return RECAP_OK;
}

recap_status
recap_index_set_ranking(recap_index *idx, const recap_ranking *r)
{
    recap_ranking v = RECAP_RANKING_INIT;

    if (!idx || !r)
        return RECAP_EINVAL;
    if (r->version < 1 || r->version > RECAP_RANKING_VERSION)
        return index_fail(idx, RECAP_EINVAL, "unknown ranking version %u",
                          r->version);
    /* A version-1 struct ends before `prior`: read only its fields. */
    v.k1 = r->k1;
    v.b = r->b;
    v.proximity = r->proximity;
    v.code = r->code;
    if (r->version >= 2)
        v.prior = r->prior;
    if (r->version >= 3) {
        v.scheme = r->scheme;
        v.delta = r->delta;
        v.c = r->c;
        v.mu = r->mu;
        v.loose_k1 = r->loose_k1;
    }
    if (!(v.k1 > 0 && v.k1 <= 100) || !(v.b >= 0 && v.b <= 1) ||
        !(v.proximity >= 0 && v.proximity <= 100) ||
        !(v.code >= 0 && v.code <= 100) || !(v.prior >= 0 && v.prior <= 100))
        return index_fail(idx, RECAP_EINVAL,
                          "ranking: k1 must be in (0, 100], b in [0, 1], "
                          "proximity, code and prior in [0, 100]");
    if ((unsigned)v.scheme > RECAP_SCHEME_LM ||
        !(v.loose_k1 > 0 && v.loose_k1 <= 100) ||
        !(v.delta > 0 && v.delta <= 100) || !(v.c > 0 && v.c <= 100) ||
        !(v.mu > 0 && v.mu <= 1e6))
        return index_fail(idx, RECAP_EINVAL,
                          "ranking: unknown scheme, or loose_k1, delta and "
                          "c not in (0, 100], or mu not in (0, 1e6]");
    idx->ranking = v;
    return RECAP_OK;
}
