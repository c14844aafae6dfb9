/*
 * test_pipeline.c: recap_index_add_files() must give exactly what a loop of
 * recap_index_add_file() gives: the same documents under the same ids, the
 * same statistics, and the same warnings and outcomes in the same order.
 * Built on two real folders: the sample site corpus/ and the ingest test
 * site (drafts, a headless bundle, broken front matter, a bad encoding).
 * Then the generation layout a full build writes (lib/generation.h): the
 * stub and its switch, cancel, readers following, and old plain indexes.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdir.h"

#include "docdata.h"
#include "ingest.h"
#include "pipeline_int.h"
#include "recapsearch.h"
#include "util.h"
#include "xap.h"

#define OK(call) assert_int_equal((call), RECAP_OK)

typedef struct fixture {
    char dir[TESTDIR_SIZE]; /* temporary directory holding the databases */
} fixture;

static int
setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    testdir_make(f->dir, "pipeline");
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture *f = *state;

    testdir_remove(f->dir);
    free(f);
    return 0;
}

/* The events of one build, one line each, in the order they came. */
static void
log_warn(void *ctx, const char *path, unsigned line, const char *msg)
{
    strbuf *log = ctx;
    char *s = util_asprintf("W %s:%u: %s\n", path, line, msg);

    strbuf_puts(log, s);
    free(s);
}

static void
log_file(void *ctx, size_t i, const char *relpath, recap_status rc,
         const char *msg)
{
    strbuf *log = ctx;
    char *s = util_asprintf("F %zu %s %d %s\n", i, relpath, (int)rc, msg);

    strbuf_puts(log, s);
    free(s);
}

typedef struct build {
    strbuf log;
    recap_index_stats stats;
    uint64_t n_docs;
} build;

/*
 * Indexes `dir` into `db` in one full batch: with recap_index_add_file()
 * in a loop when `workers` is negative, else with recap_index_add_files().
 */
static void
run_build(const char *dir, const char *db, int workers, build *out)
{
    char **paths = NULL, *root = NULL, *errmsg = NULL;
    size_t n = 0, i;
    recap_index *idx = NULL;

    memset(out, 0, sizeof(*out));
    OK(ingest_walk(dir, &paths, &n, &root, &errmsg));
    assert_true(n > 5);
    OK(recap_index_open(db, RECAP_OPEN_CREATE, &idx, &errmsg));
    recap_index_set_warn(idx, log_warn, &out->log);
    OK(recap_index_begin(idx, RECAP_BEGIN_FULL));
    if (workers < 0) {
        for (i = 0; i < n; i++) {
            recap_status rc = recap_index_add_file(idx, root, paths[i]);
            log_file(&out->log, i, paths[i], rc,
                     rc ? recap_index_errmsg(idx) : "");
        }
    } else {
        OK(recap_index_add_files(idx, root, (const char *const *)paths, n,
                                 (unsigned)workers, log_file, &out->log));
    }
    OK(recap_index_commit(idx));
    recap_index_get_stats(idx, &out->stats);
    OK(recap_index_doc_count(idx, &out->n_docs));
    assert_false(out->log.oom);
    recap_index_close(idx);
    ingest_paths_free(paths, n);
    free(root);
}

/* Every document's data and terms (with wdf), by docid, as one string. */
static char *
dump_db(const char *path)
{
    xap_db *db = NULL;
    strbuf out = STRBUF_INIT;
    uint32_t n = 0, did;

    OK(xap_db_open(path, XAP_DB_READONLY, &db, NULL));
    OK(xap_db_doccount(db, &n, NULL));
    for (did = 1; did <= n; did++) {
        xap_doc *doc = NULL;
        xap_termiter *it = NULL;
        char *data = NULL, num[32];
        const char *term;
        size_t len, dlen;
        uint32_t wdf;

        OK(xap_db_get_doc(db, did, &doc, NULL));
        OK(docdata_get_full(doc, &data, &dlen, NULL));
        assert_non_null(data);
        snprintf(num, sizeof(num), "#%u ", did);
        strbuf_puts(&out, num);
        /* The binary layout holds NUL and other control bytes: shown as
         * escapes, so that comparing dumps as strings compares them all. */
        for (size_t k = 0; k < dlen; k++) {
            unsigned char c = (unsigned char)data[k];
            if (c < 0x20 || c == '\\')
                strbuf_printf(&out, "\\x%02x", c);
            else
                strbuf_putc(&out, (char)c);
        }
        strbuf_putc(&out, '\n');
        OK(xap_db_termlist(db, did, &it, NULL));
        while (xap_termiter_next(it, &term, &len, &wdf, NULL) == 1) {
            strbuf_append(&out, term, len);
            snprintf(num, sizeof(num), ":%u ", wdf);
            strbuf_puts(&out, num);
        }
        strbuf_putc(&out, '\n');
        xap_termiter_free(it);
        xap_doc_free(doc);
        free(data);
    }
    xap_db_free(db);
    assert_false(out.oom);
    return out.data;
}

static void
assert_same_build(const build *a, const build *b)
{
    assert_string_equal(a->log.data, b->log.data);
    assert_memory_equal(&a->stats, &b->stats, sizeof(a->stats));
    assert_int_equal(a->n_docs, b->n_docs);
}

static void
check_folder(fixture *f, const char *dir)
{
    static const int workers[] = {1, 2, 3, 0};
    char *seq_db = util_asprintf("%s/seq", f->dir), *seq_dump;
    build seq, par;
    size_t i;

    run_build(dir, seq_db, -1, &seq);
    seq_dump = dump_db(seq_db);
    assert_true(seq.stats.n_added > 0);
    for (i = 0; i < sizeof(workers) / sizeof(workers[0]); i++) {
        char *db = util_asprintf("%s/par%zu", f->dir, i), *dump;
        run_build(dir, db, workers[i], &par);
        assert_same_build(&seq, &par);
        dump = dump_db(db);
        assert_string_equal(seq_dump, dump);
        strbuf_free(&par.log);
        free(dump);
        free(db);
    }
    strbuf_free(&seq.log);
    free(seq_dump);
    free(seq_db);
}

static void
test_same_as_one_by_one_sample(void **state)
{
    check_folder(*state, RECAP_SOURCE_DIR "/corpus");
}

/* Threads that finish first take over half of another's unstarted files
 * (sidebuild.c), whenever they do: the index, the messages and their order
 * stay those of a one-by-one build.  Sharing any range of two files or
 * more, in rounds until it happened. */
static void
test_same_with_ranges_taken_over(void **state)
{
    uint64_t saved = side_share_min_bytes;
    size_t before = atomic_load(&side_ranges_taken);

    side_share_min_bytes = 0;
    /* Whether a thread finishes while another has two files left to do
     * depends on timing: a third of the rounds, or so, take one over. */
    for (int round = 0;
         round < 20 && (round < 2 || atomic_load(&side_ranges_taken) == before);
         round++) {
        check_folder(*state, RECAP_SOURCE_DIR "/corpus");
        check_folder(*state, RECAP_TEST_DATA "/ingest/site");
    }
    side_share_min_bytes = saved;
    assert_true(atomic_load(&side_ranges_taken) > before);
}

/* Skips, failures and warnings come in the same order as one by one. */
static void
test_same_as_one_by_one_odd_files(void **state)
{
    fixture *f = *state;
    char *db = util_asprintf("%s/seq", f->dir);
    build b;

    check_folder(f, RECAP_TEST_DATA "/ingest/site");
    /* The site really has skipped files and warnings to compare. */
    run_build(RECAP_TEST_DATA "/ingest/site", db, 2, &b);
    assert_true(b.stats.n_skipped > 0);
    assert_true(b.stats.n_warnings > 0);
    assert_non_null(strstr(b.log.data, "W "));
    strbuf_free(&b.log);
    free(db);
}

/* A second full build over an existing index replaces documents in place
 * (no blind adds): same count, same content as the first. */
static void
test_rebuild_replaces(void **state)
{
    fixture *f = *state;
    char *db = util_asprintf("%s/re", f->dir), *d1, *d2;
    build a, b;

    run_build(RECAP_SOURCE_DIR "/corpus", db, 2, &a);
    d1 = dump_db(db);
    run_build(RECAP_SOURCE_DIR "/corpus", db, 2, &b);
    d2 = dump_db(db);
    assert_int_equal(a.n_docs, b.n_docs);
    assert_int_equal(a.stats.n_added, b.stats.n_added);
    assert_string_equal(d1, d2);
    strbuf_free(&a.log);
    strbuf_free(&b.log);
    free(d1);
    free(d2);
    free(db);
}

/* recap_index_files_done() as the callback sees it: never behind the
 * callback's i + 1, never past n, never going back; n at the end. */
typedef struct progress {
    recap_index *idx;
    size_t n, last, bad;
} progress;

static void
on_progress(void *ctx, size_t i, const char *relpath, recap_status rc,
            const char *msg)
{
    progress *p = ctx;
    size_t done = recap_index_files_done(p->idx);

    (void)relpath, (void)rc, (void)msg;
    if (done < i + 1 || done > p->n || done < p->last)
        p->bad++;
    p->last = done;
}

static void
test_files_done(void **state)
{
    fixture *f = *state;
    char *db = util_asprintf("%s/done", f->dir), **paths = NULL;
    char *root = NULL, *errmsg = NULL;
    size_t n = 0;
    recap_index *idx = NULL;

    OK(ingest_walk(RECAP_SOURCE_DIR "/corpus", &paths, &n, &root, &errmsg));
    OK(recap_index_open(db, RECAP_OPEN_CREATE, &idx, &errmsg));
    assert_int_equal(recap_index_files_done(idx), 0);
    /* A full batch (one range a thread), then an update in place. */
    for (int full = 1; full >= 0; full--) {
        progress p = {idx, n, 0, 0};
        OK(recap_index_begin(idx,
                             full ? RECAP_BEGIN_FULL : RECAP_BEGIN_UPDATE));
        OK(recap_index_add_files(idx, root, (const char *const *)paths, n, 2,
                                 on_progress, &p));
        assert_int_equal(p.bad, 0);
        assert_int_equal(p.last, n);
        assert_int_equal(recap_index_files_done(idx), n);
        OK(recap_index_commit(idx));
    }
    assert_int_equal(recap_index_files_done(NULL), 0);
    recap_index_close(idx);
    ingest_paths_free(paths, n);
    free(root);
    free(db);
}

/* Twice the same path in one call: the second replaces the first. */
static void
test_duplicate_paths(void **state)
{
    fixture *f = *state;
    char *db = util_asprintf("%s/dup", f->dir), *errmsg = NULL;
    const char *paths[] = {"en/blog/post/index.md", "en/plain.md",
                           "en/blog/post/index.md"};
    recap_index *idx = NULL;
    uint64_t n = 0;

    OK(recap_index_open(db, RECAP_OPEN_CREATE, &idx, &errmsg));
    OK(recap_index_begin(idx, RECAP_BEGIN_UPDATE));
    OK(recap_index_add_files(idx, RECAP_TEST_DATA "/ingest/site/content", paths,
                             3, 2, NULL, NULL));
    OK(recap_index_commit(idx));
    OK(recap_index_doc_count(idx, &n));
    assert_int_equal(n, 2);
    recap_index_close(idx);
    free(db);
}

static void
test_misuse(void **state)
{
    fixture *f = *state;
    char *db = util_asprintf("%s/mis", f->dir), *errmsg = NULL;
    const char *paths[] = {"en/plain.md", NULL};
    recap_index *idx = NULL;

    assert_int_equal(recap_index_add_files(NULL, "x", paths, 1, 0, NULL, NULL),
                     RECAP_EINVAL);
    OK(recap_index_open(db, RECAP_OPEN_CREATE, &idx, &errmsg));
    /* No batch open. */
    assert_int_equal(recap_index_add_files(idx, "x", paths, 1, 0, NULL, NULL),
                     RECAP_EINVAL);
    OK(recap_index_begin(idx, RECAP_BEGIN_UPDATE));
    assert_int_equal(recap_index_add_files(idx, "x", paths, 2, 0, NULL, NULL),
                     RECAP_EINVAL);
    OK(recap_index_add_files(idx, "x", paths, 0, 0, NULL, NULL));
    OK(recap_index_cancel(idx));
    recap_index_close(idx);
    free(db);
}

/* ---- the generation layout and the side build --------------------------- */

static int
exists(const char *dir, const char *name)
{
    char *p = util_asprintf("%s/%s", dir, name);
    int ok = access(p, F_OK) == 0;

    free(p);
    return ok;
}

static char *
read_stub(const char *db)
{
    char *p = util_asprintf("%s/XAPIANDB", db), *text = NULL;
    size_t len;

    assert_int_equal(util_read_file(p, &text, &len), 0);
    free(p);
    return text;
}

/* A new index is a stub and generations; each full build makes the next
 * one, keeps the previous and removes older ones and the parts. */
static void
test_generations(void **state)
{
    fixture *f = *state;
    char *db = util_asprintf("%s/gen", f->dir), *stub;
    build b;

    run_build(RECAP_SOURCE_DIR "/corpus", db, 2, &b);
    stub = read_stub(db);
    assert_string_equal(stub, "auto gen-000002\n");
    free(stub);
    assert_true(exists(db, "gen-000001"));
    assert_false(exists(db, "gen-000002.parts"));
    strbuf_free(&b.log);
    run_build(RECAP_SOURCE_DIR "/corpus", db, 2, &b);
    stub = read_stub(db);
    assert_string_equal(stub, "auto gen-000003\n");
    free(stub);
    assert_false(exists(db, "gen-000001"));
    assert_true(exists(db, "gen-000002"));
    assert_true(exists(db, "gen-000003"));
    strbuf_free(&b.log);
    free(db);
}

/* A cancelled full build leaves the live generation as it was; a reader
 * follows a committed one on reopen. */
static void
test_cancel_and_reopen(void **state)
{
    fixture *f = *state;
    char *db = util_asprintf("%s/cr", f->dir), *errmsg = NULL, *stub;
    const char *one[] = {"en/plain.md"};
    const char *root = RECAP_TEST_DATA "/ingest/site/content";
    recap_index *w = NULL, *r = NULL;
    uint64_t n = 0, before;
    build b;

    run_build(RECAP_TEST_DATA "/ingest/site", db, 2, &b);
    strbuf_free(&b.log);
    before = b.n_docs;
    assert_true(before > 1);
    OK(recap_index_open(db, RECAP_OPEN_READ, &r, &errmsg));
    OK(recap_index_open(db, RECAP_OPEN_WRITE, &w, &errmsg));
    OK(recap_index_begin(w, RECAP_BEGIN_FULL));
    OK(recap_index_add_files(w, root, one, 1, 2, NULL, NULL));
    OK(recap_index_cancel(w));
    stub = read_stub(db);
    assert_string_equal(stub, "auto gen-000002\n");
    free(stub);
    assert_false(exists(db, "gen-000003.parts"));
    OK(recap_index_doc_count(w, &n));
    assert_int_equal(n, before);

    OK(recap_index_begin(w, RECAP_BEGIN_FULL));
    OK(recap_index_add_files(w, root, one, 1, 2, NULL, NULL));
    OK(recap_index_commit(w));
    OK(recap_index_doc_count(w, &n));
    assert_int_equal(n, 1);
    OK(recap_index_doc_count(r, &n));
    assert_int_equal(n, before); /* a reader keeps its revision */
    OK(recap_index_reopen(r));
    OK(recap_index_doc_count(r, &n));
    assert_int_equal(n, 1);
    /* Incremental batches write the live generation through the stub. */
    OK(recap_index_begin(w, RECAP_BEGIN_UPDATE));
    OK(recap_index_add_file(w, root, "en/latin1.md"));
    OK(recap_index_commit(w));
    OK(recap_index_reopen(r));
    OK(recap_index_doc_count(r, &n));
    assert_int_equal(n, 2);
    recap_index_close(w);
    recap_index_close(r);
    free(db);
}

/* A file that cannot be read keeps its previous document, in a side build
 * as in place. */
static void
test_unreadable_keeps_old(void **state)
{
    fixture *f = *state;
    char *db = util_asprintf("%s/ko", f->dir), *errmsg = NULL;
    char *site = util_asprintf("%s/site", f->dir);
    char *a = util_asprintf("%s/a.md", site), *bpath;
    const char *paths[] = {"a.md", "b.md"};
    recap_index *idx = NULL;
    recap_index_stats st;
    uint64_t n = 0;
    FILE *fp;
    int i;

    bpath = util_asprintf("%s/b.md", site);
    assert_int_equal(mkdir(site, 0777), 0);
    for (i = 0; i < 2; i++) {
        fp = fopen(i ? bpath : a, "w");
        assert_non_null(fp);
        fputs("---\ntitle: Page\n---\nSome words here.\n", fp);
        fclose(fp);
    }
    OK(recap_index_open(db, RECAP_OPEN_CREATE, &idx, &errmsg));
    OK(recap_index_begin(idx, RECAP_BEGIN_FULL));
    OK(recap_index_add_files(idx, site, paths, 2, 2, NULL, NULL));
    OK(recap_index_commit(idx));
    assert_int_equal(remove(bpath), 0);
    OK(recap_index_begin(idx, RECAP_BEGIN_FULL));
    OK(recap_index_add_files(idx, site, paths, 2, 2, NULL, NULL));
    OK(recap_index_commit(idx));
    recap_index_get_stats(idx, &st);
    assert_int_equal(st.n_failed, 1);
    assert_int_equal(st.n_added, 1);
    OK(recap_index_doc_count(idx, &n));
    assert_int_equal(n, 2);
    recap_index_close(idx);
    free(a);
    free(bpath);
    free(site);
    free(db);
}

/* An index that is itself a database (made before generations) is rebuilt
 * in place, with the same result. */
static void
test_plain_database_in_place(void **state)
{
    fixture *f = *state;
    char *plain = util_asprintf("%s/plain", f->dir);
    char *gen = util_asprintf("%s/layout", f->dir), *d1, *d2, *p2;
    xap_db *x = NULL;
    build a, b;

    OK(xap_db_open(plain, XAP_DB_CREATE_OR_OPEN, &x, NULL));
    xap_db_free(x);
    run_build(RECAP_SOURCE_DIR "/corpus", plain, 2, &a);
    run_build(RECAP_SOURCE_DIR "/corpus", gen, 2, &b);
    assert_false(exists(plain, "XAPIANDB"));
    assert_same_build(&a, &b);
    p2 = util_asprintf("%s/gen-000002", gen);
    d1 = dump_db(plain);
    d2 = dump_db(p2);
    assert_string_equal(d1, d2);
    strbuf_free(&a.log);
    strbuf_free(&b.log);
    free(d1);
    free(d2);
    free(p2);
    free(plain);
    free(gen);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_same_as_one_by_one_sample, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_same_as_one_by_one_odd_files,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_with_ranges_taken_over, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_rebuild_replaces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files_done, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_misuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_generations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_and_reopen, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_keeps_old, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plain_database_in_place, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
