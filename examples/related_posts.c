/*
 * related_posts.c: a program that embeds recapsearch through its installed
 * library only.  It indexes a Hugo content folder incrementally, searches
 * it, lists the pages related to the top hit, and adds one document from
 * memory, the way a blog generator would.
 *
 * Build against an installed recapsearch:
 *
 *     cc related_posts.c $(pkg-config --cflags --libs recapsearch) \
 *        -o related_posts
 *     ./related_posts INDEX_DIR CONTENT_DIR QUERY
 */
#include <recapsearch.h>
#include <stdio.h>
#include <stdlib.h>

static int
fail(recap_index *idx, const char *what)
{
    fprintf(stderr, "%s: %s\n", what, recap_index_errmsg(idx));
    recap_index_close(idx);
    return 1;
}

int
main(int argc, char **argv)
{
    recap_sync_stats st;
    recap_search_options so = RECAP_SEARCH_OPTIONS_INIT;
    recap_related_options ro = RECAP_RELATED_OPTIONS_INIT;
    recap_doc_fields doc = RECAP_DOC_FIELDS_INIT;
    recap_index *idx = NULL;
    recap_results *res = NULL, *rel = NULL;
    char *err = NULL;
    size_t i;

    if (argc != 4) {
        fprintf(stderr, "usage: %s INDEX_DIR CONTENT_DIR QUERY\n", argv[0]);
        return 2;
    }
    printf("recapsearch %s\n", recap_version());
    if (recap_index_open(argv[1], RECAP_OPEN_CREATE, &idx, &err)) {
        fprintf(stderr, "%s\n", err);
        free(err);
        return 1;
    }
    if (recap_index_sync(idx, argv[2], NULL, &st))
        return fail(idx, "sync");
    printf("synced %llu files: %llu added, %llu updated, %llu unchanged\n",
           (unsigned long long)st.n_files, (unsigned long long)st.n_added,
           (unsigned long long)st.n_updated,
           (unsigned long long)st.n_unchanged);

    so.query = argv[3];
    so.limit = 3;
    if (recap_search(idx, &so, &res))
        return fail(idx, "search");
    for (i = 0; i < recap_results_count(res); i++) {
        const recap_hit *h = recap_results_hit(res, i);
        printf("hit %u: %s %s\n", recap_hit_rank(h), recap_hit_url(h),
               recap_hit_title(h) ? recap_hit_title(h) : "");
    }
    if (recap_results_count(res)) {
        ro.page = recap_hit_path(recap_results_hit(res, 0));
        ro.limit = 3;
        if (recap_related(idx, &ro, &rel)) {
            recap_results_free(res);
            return fail(idx, "related");
        }
        for (i = 0; i < recap_results_count(rel); i++)
            printf("related: %s\n", recap_hit_url(recap_results_hit(rel, i)));
        recap_results_free(rel);
    }
    recap_results_free(res);

    /* A document from memory, in its own batch. */
    doc.path = "example/from-memory.md";
    doc.url = "/example/from-memory/";
    doc.title = "Added from memory";
    doc.body = "This page never existed as a file.";
    if (recap_index_begin(idx, RECAP_BEGIN_UPDATE) ||
        recap_index_add_doc(idx, &doc) || recap_index_commit(idx))
        return fail(idx, "add_doc");
    printf("added %s\n", doc.url);
    recap_index_close(idx);
    return 0;
}
