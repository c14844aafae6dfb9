/*
 * writer.c: the writing half of the public API: batches, adding files,
 * deleting, committing.
 *
 * A batch is one Xapian transaction, so readers see all of it at commit or,
 * if the process dies first, none of it: the previous revision stays intact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "doclimit.h"
#include "docterms.h"
#include "incremental.h"
#include "index_int.h"
#include "pipeline_int.h"
#include "ingest.h"
#include "schema.h"
#include "util.h"
#include "writer_int.h"

void
recap_index_set_warn(recap_index *idx, recap_warn_fn fn, void *ctx)
{
    if (!idx)
        return;
    idx->warn = fn;
    idx->warn_ctx = ctx;
}

recap_status
recap_index_set_default_lang(recap_index *idx, const char *lang)
{
    if (!idx || !lang || !*lang || strlen(lang) >= sizeof(idx->default_lang))
        return RECAP_EINVAL;
    strcpy(idx->default_lang, lang);
    return RECAP_OK;
}

void
recap_index_get_stats(const recap_index *idx, recap_index_stats *out)
{
    size_t i;
    uint64_t n;

    if (idx && out) {
        *out = idx->stats;
        for (i = 0; recap_index_unknown_shortcode(idx, i, &n); i++)
            out->n_unknown_shortcodes += n;
    }
}

static recap_status
check_writer(recap_index *idx, int want_batch)
{
    if (!idx)
        return RECAP_EINVAL;
    if (idx->mode == RECAP_OPEN_READ)
        return index_fail(idx, RECAP_EINVAL, "the index is open read-only");
    if (want_batch && !idx->in_batch)
        return index_fail(idx, RECAP_EINVAL,
                          "no batch is open: call recap_index_begin first");
    if (!want_batch && idx->in_batch)
        return index_fail(idx, RECAP_EINVAL, "a batch is already open");
    return RECAP_OK;
}

static void
forget_seen(recap_index *idx)
{
    size_t i;

    for (i = 0; i < idx->n_seen; i++)
        free(idx->seen[i]);
    idx->n_seen = 0;
}

recap_status
recap_index_begin(recap_index *idx, recap_begin_flags flags)
{
    xap_error err;
    recap_status rc = check_writer(idx, 0);

    if (rc)
        return rc;
    if ((flags & RECAP_BEGIN_FULL) && (rc = side_begin(idx)) != RECAP_OK)
        return rc;
    if (xap_db_begin(idx->db, 1, &err)) {
        side_cancel(idx);
        return index_fail_xap(idx, &err, "starting a transaction");
    }
    idx->in_batch = 1;
    idx->teardown = writer_teardown;
    idx->full = (flags & RECAP_BEGIN_FULL) != 0;
    incr_begin(idx, idx->full);
    forget_seen(idx);
    memset(&idx->stats, 0, sizeof(idx->stats));
    sitecfg_reset_unknown(idx->ingest_cfg);
    return RECAP_OK;
}

static recap_status
remember_seen(recap_index *idx, const char *relpath)
{
    if (!idx->full)
        return RECAP_OK;
    if (idx->n_seen == idx->cap_seen) {
        size_t cap = idx->cap_seen ? idx->cap_seen * 2 : 1024;
        char **p = realloc(idx->seen, cap * sizeof(*p));
        if (!p)
            return index_fail(idx, RECAP_ENOMEM, "out of memory");
        idx->seen = p;
        idx->cap_seen = cap;
    }
    if (!(idx->seen[idx->n_seen] = util_strdup(relpath)))
        return index_fail(idx, RECAP_ENOMEM, "out of memory");
    idx->n_seen++;
    return RECAP_OK;
}

void
index_on_warn(void *ctx, const char *path, unsigned line, const char *msg)
{
    recap_index *idx = ctx;

    idx->stats.n_warnings++;
    if (idx->warn)
        idx->warn(idx->warn_ctx, path, line, msg);
}

uint64_t
writer_source_size(const char *root, const char *relpath)
{
    struct stat st;
    char *path = util_asprintf("%s/%s", root, relpath);
    uint64_t n = path && stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;

    free(path);
    return n;
}

/* Removes `relpath` if indexed; a missing document is not an error. */
static recap_status
delete_path(recap_index *idx, const char *relpath, int *found)
{
    char *qterm;
    size_t qlen;
    uint32_t freq = 0;
    xap_error err;
    recap_status rc = RECAP_OK;

    if (!(qterm = docterms_path_term(relpath, &qlen)))
        return index_fail(idx, RECAP_ENOMEM, "out of memory");
    if (xap_db_termfreq(idx->db, qterm, qlen, &freq, &err) ||
        (freq && xap_db_delete(idx->db, qterm, qlen, &err)))
        rc = index_fail_xap(idx, &err, relpath);
    free(qterm);
    if (found)
        *found = freq > 0;
    if (rc == RECAP_OK && freq) {
        idx->stats.n_deleted++;
        incr_forget(idx, relpath);
    }
    return rc;
}

recap_status
recap_index_add_file(recap_index *idx, const char *root, const char *relpath)
{
    ingest_doc *doc = NULL;
    xap_doc *xdoc = NULL;
    char *msg = NULL, *qterm = NULL;
    size_t qlen;
    uint64_t n_terms = 0;
    xap_error err;
    recap_status rc = check_writer(idx, 1);

    if (rc)
        return rc;
    if (!root || !relpath)
        return index_fail(idx, RECAP_EINVAL, "no file given");
    if (!doclimit_path_ok(relpath, &msg)) {
        idx->stats.n_failed++;
        rc = index_fail(idx, msg ? RECAP_EPARSE : RECAP_ENOMEM, "%s",
                        msg ? msg : "out of memory");
        goto done;
    }
    incr_pre(idx, root, relpath);
    rc = ingest_file_cfg(idx->ingest_cfg, root, relpath, idx->default_lang,
                         index_on_warn, idx, &doc, &msg);
    if (rc == RECAP_OK)
        doclimit_fields(doc, index_on_warn, idx);
    if (rc == RECAP_ESKIPPED) {
        idx->stats.n_skipped++;
        index_fail(idx, rc, "%s", msg ? msg : "not published");
        rc = delete_path(idx, relpath, NULL);
        incr_note(idx, relpath);
        rc = rc ? rc : RECAP_ESKIPPED;
        goto done;
    }
    if (rc != RECAP_OK) {
        /* Keep the previous version of a file that cannot be read now. */
        idx->stats.n_failed++;
        incr_forget(idx, relpath);
        if (remember_seen(idx, relpath) == RECAP_OK)
            index_fail(idx, rc, "%s", msg ? msg : recap_status_str(rc));
        goto done;
    }
    rc = docterms_build(doc, index_stemmer(idx, doc->lang), &xdoc, &n_terms,
                        &err);
    if (rc == RECAP_OK) {
        qterm = docterms_path_term(relpath, &qlen);
        rc = qterm ? xap_db_replace(idx->db, qterm, qlen, xdoc, NULL, &err)
                   : RECAP_ENOMEM;
        if (rc == RECAP_ENOMEM && !qterm)
            snprintf(err.msg, sizeof(err.msg), "out of memory");
    }
    if (rc != RECAP_OK) {
        idx->stats.n_failed++;
        incr_forget(idx, relpath);
        index_fail_xap(idx, &err, relpath);
        goto done;
    }
    rc = remember_seen(idx, relpath);
    incr_note(idx, relpath);
    idx->stats.n_added++;
    idx->stats.n_bytes += writer_source_size(root, relpath);
    idx->stats.n_terms += n_terms;
done:
    free(qterm);
    free(msg);
    xap_doc_free(xdoc);
    ingest_doc_free(doc);
    return rc;
}

recap_status
recap_index_delete(recap_index *idx, const char *relpath)
{
    int found = 0;
    recap_status rc = check_writer(idx, 1);

    if (rc)
        return rc;
    if (!relpath)
        return index_fail(idx, RECAP_EINVAL, "no path given");
    rc = delete_path(idx, relpath, &found);
    if (rc == RECAP_OK && !found)
        return index_fail(idx, RECAP_ENOTFOUND, "%s is not in the index",
                          relpath);
    return rc;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A full batch deletes every document it did not add. */
static recap_status
prune_unseen(recap_index *idx)
{
    xap_termiter *it = NULL;
    const char *term;
    size_t len, n_stale = 0, i;
    char **stale = NULL, *key;
    xap_error err;
    recap_status rc = RECAP_OK;
    int more;

    if (idx->n_seen) /* qsort() of NULL is undefined, even of nothing */
        qsort(idx->seen, idx->n_seen, sizeof(char *), cmp_str);
    if (xap_db_allterms(idx->db, SCHEMA_PREFIX_PATH, 1, &it, &err))
        return index_fail_xap(idx, &err, "listing documents");
    /* Collect first: deleting while iterating the term list is unsafe. */
    while ((more = xap_termiter_next(it, &term, &len, NULL, &err)) == 1) {
        key = util_strndup(term + 1, len - 1);
        if (!key) {
            rc = index_fail(idx, RECAP_ENOMEM, "out of memory");
            break;
        }
        if (idx->n_seen &&
            bsearch(&key, idx->seen, idx->n_seen, sizeof(char *), cmp_str)) {
            free(key);
            continue;
        }
        char **p = realloc(stale, (n_stale + 1) * sizeof(*p));
        if (!p) {
            free(key);
            rc = index_fail(idx, RECAP_ENOMEM, "out of memory");
            break;
        }
        stale = p;
        stale[n_stale++] = key;
    }
    if (more < 0 && rc == RECAP_OK)
        rc = index_fail_xap(idx, &err, "listing documents");
    xap_termiter_free(it);
    for (i = 0; i < n_stale; i++) {
        if (rc == RECAP_OK)
            rc = delete_path(idx, stale[i], NULL);
        free(stale[i]);
    }
    free(stale);
    return rc;
}

recap_status
recap_index_commit(recap_index *idx)
{
    xap_error err;
    recap_status rc = check_writer(idx, 1);

    if (rc)
        return rc;
    if (idx->full)
        rc = prune_unseen(idx);
    if (rc == RECAP_OK)
        rc = incr_save(idx);
    if (rc != RECAP_OK) {
        recap_index_cancel(idx);
        return rc;
    }
    if (xap_db_set_metadata(idx->db, SCHEMA_META_VERSION, "1", 1, &err) ||
        xap_db_end(idx->db, 1, &err)) {
        idx->in_batch = 0;
        side_cancel(idx);
        incr_end(idx);
        return index_fail_xap(idx, &err, "committing");
    }
    idx->in_batch = 0;
    if (idx->side && (rc = side_commit(idx)) != RECAP_OK) {
        incr_end(idx);
        forget_seen(idx);
        return rc;
    }
    incr_end(idx);
    forget_seen(idx);
    index_load_main_lang(idx);
    return RECAP_OK;
}

recap_status
recap_index_cancel(recap_index *idx)
{
    xap_error err;
    recap_status rc = check_writer(idx, 1);

    if (rc)
        return rc;
    idx->in_batch = 0;
    incr_end(idx);
    forget_seen(idx);
    if (idx->side) {
        side_cancel(idx); /* drops the parts; the live index is untouched */
        return RECAP_OK;
    }
    if (xap_db_end(idx->db, 0, &err))
        return index_fail_xap(idx, &err, "cancelling");
    return RECAP_OK;
}

void
writer_teardown(recap_index *idx)
{
    if (idx->in_batch)
        recap_index_cancel(idx);
    sitecfg_free(idx->ingest_cfg);
    idx->ingest_cfg = NULL;
}

/* ---- hooks for the parallel pipeline (pipeline.c) ----------------------- */

recap_status
writer_delete_path(recap_index *idx, const char *relpath)
{
    return delete_path(idx, relpath, NULL);
}

recap_status
writer_remember_seen(recap_index *idx, const char *relpath)
{
    return remember_seen(idx, relpath);
}

recap_status
writer_check_batch(recap_index *idx)
{
    return check_writer(idx, 1);
}
