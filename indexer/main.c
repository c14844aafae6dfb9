/*
 * recapsearch-index: builds or updates the search index of a Hugo site.
 *
 * A thin program over the public API: it walks the content folder, adds
 * every markdown file in one batch and commits once at the end, so an
 * interrupted run leaves the previous index as it was.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "index_cmd.h"
#include "ingest.h"
#include "recapsearch.h"
#include "util.h"

static const char *prog = "recapsearch-index";

static void
usage(FILE *f)
{
    fprintf(
        f,
        "Usage: recapsearch-index [OPTION]... CONTENT_DIR\n"
        "   or: recapsearch-index [OPTION]... --jsonl FILE|-\n"
        "   or: recapsearch-index --check [--db DIR]\n"
        "Build the search index of a Hugo site from its markdown sources.\n"
        "\n"
        "CONTENT_DIR is a Hugo content folder, or a site root that has "
        "content/.\n"
        "Pages Hugo would not publish (draft: true, headless bundles, "
        "build.render:\n"
        "never, future or expired dates) are left out and listed with the "
        "reason.\n"
        "Documents of files that no longer exist are removed.  Changes become\n"
        "visible in one commit at the end: an interrupted run leaves the "
        "previous\n"
        "index intact.\n"
        "\n"
        "Options:\n"
        "      --db DIR       index directory (default: $RECAPSEARCH_DB, else\n"
        "                     ./.recapsearch); created when missing\n"
        "      --synonyms FILE  load groups of synonyms, one group per line,\n"
        "                     comma-separated (\"k8s, kubernetes\")\n"
        "      --lang LANG    language of pages outside a language folder\n"
        "                     (default: en)\n"
        "      --params FILE  site parameters (YAML, TOML or JSON) that "
        "version\n"
        "                     shortcodes take their values from\n"
        "      --shortcodes FILE\n"
        "                     shortcode table: what each shortcode "
        "contributes\n"
        "                     (see README.md, \"Shortcodes\"); adds to the\n"
        "                     built-in table\n"
        "      --include-drafts, --include-future, --include-expired\n"
        "                     index these pages too, which Hugo would leave "
        "out\n"
        "      --dump FILE    print, as JSON, what would be indexed for FILE "
        "(a\n"
        "                     path relative to CONTENT_DIR, or any path when\n"
        "                     CONTENT_DIR is left out) and write nothing\n"
        "      --jsonl FILE   index the documents of FILE ('-': standard "
        "input),\n"
        "                     one JSON object per line: path (required), url,\n"
        "                     title, description, body (markdown) or text, "
        "date,\n"
        "                     lang, section, tags, categories, keywords, "
        "authors,\n"
        "                     aliases; the index then holds exactly these\n"
        "      --full         read every file again and rebuild the whole "
        "index\n"
        "                     (default when the index is empty; otherwise "
        "only\n"
        "                     files whose size, mtime and content changed are\n"
        "                     read, pages including a changed file are "
        "updated,\n"
        "                     and documents of deleted files removed)\n"
        "      --shards N     full build into N databases (shards) by a\n"
        "                     hash of each path, one writer thread each,\n"
        "                     opened as one index; implies --full\n"
        "                     (default: as many as the index has)\n"
        "      --watch        after indexing, keep watching CONTENT_DIR "
        "(inotify)\n"
        "                     and update the index whenever files change\n"
        "  -q, --quiet        print errors only: no progress, skips or "
        "summary\n"
        "      --check        check the index for damage (Xapian's "
        "consistency\n"
        "                     check) and print its document count; indexes "
        "nothing\n"
        "      --progress     show the progress line even when not on a "
        "terminal\n"
        "  -h, --help         show this help and exit\n"
        "  -V, --version      show the version and exit\n"
        "\n"
        "Files over 20 MB are refused.  A file or folder that cannot be read, "
        "or a\n"
        "symbolic-link loop, is reported once with its path and the reason, "
        "and\n"
        "the run goes on.  The summary counts shortcodes the table does not "
        "know,\n"
        "by name.\n"
        "\n"
        "Exit status: 0 when every file was indexed or deliberately skipped "
        "(Hugo\n"
        "would not publish it), 1 when some files or folders could not be read "
        "or\n"
        "were refused (the rest was committed),\n"
        "2 on a usage error or when the index cannot be opened or written\n"
        "(nothing was committed).  With --check: 0 when the index is sound, 2\n"
        "when it is missing or damaged.\n"
        "\n"
        "Examples:\n"
        "  recapsearch-index ~/my-site/content\n"
        "  recapsearch-index --db /srv/search/site.db ~/my-site\n"
        "  recapsearch-index --params corpus/istio-params.yaml \\\n"
        "      --shortcodes corpus/istio-shortcodes.yaml istio.io/content\n"
        "  recapsearch-index --dump en/news/x/index.md istio.io/content\n");
}

typedef struct run {
    const char *synonyms; /* --synonyms FILE */
    unsigned shards;      /* --shards N, 0 when not given */
    int quiet;
    int progress;
    size_t n_warn_shown;
    size_t n_walk_problems;
} run;

static void
on_walk_problem(void *ctx, const char *path, const char *reason)
{
    (void)ctx;
    fprintf(stderr, "%s: error: %s: %s\n", prog, path, reason);
}

/* "unknown shortcodes: a (12), b (3)" when there are any. */
static void
print_unknown(recap_index *idx)
{
    const char *name;
    uint64_t count;
    size_t i;

    for (i = 0; (name = recap_index_unknown_shortcode(idx, i, &count)); i++)
        fprintf(stderr, "%s%s (%llu)", i ? ", " : "unknown shortcodes: ", name,
                (unsigned long long)count);
    if (i)
        fprintf(stderr, "\n");
}

static int
dump(const recap_ingest_options *opts, const char *root, const char *file)
{
    char *json = NULL, *errmsg = NULL;
    recap_status rc = recap_dump_file(opts, root, file, &json, &errmsg);

    if (rc != RECAP_OK) {
        fprintf(stderr, "%s: %s\n", prog,
                errmsg ? errmsg : recap_status_str(rc));
        free(errmsg);
        return CLI_EXIT_ERROR;
    }
    puts(json);
    free(json);
    return CLI_EXIT_OK;
}

static void
on_warn(void *ctx, const char *path, unsigned line, const char *msg)
{
    run *r = ctx;

    if (r->progress)
        fputs("\r\033[K", stderr);
    if (line)
        fprintf(stderr, "%s: warning: %s:%u: %s\n", prog, path, line, msg);
    else
        fprintf(stderr, "%s: warning: %s: %s\n", prog, path, msg);
}

static void
show_progress(size_t done, size_t total, double started)
{
    double el = util_now() - started;
    double rate = el > 0 ? done / el : 0;
    char eta[32];

    util_format_duration(eta, sizeof(eta),
                         rate > 0 ? (total - done) / rate : 0);
    fprintf(stderr, "\r\033[K[%zu/%zu] %3.0f%%  %.0f files/s  ETA %s", done,
            total, total ? 100.0 * done / total : 100.0, rate, eta);
    fflush(stderr);
}

static void
report_file(run *r, recap_index *idx, const char *relpath, recap_status rc)
{
    if (r->progress)
        fputs("\r\033[K", stderr);
    if (rc == RECAP_ESKIPPED) {
        if (!r->quiet)
            fprintf(stderr, "%s: skipped %s: %s\n", prog, relpath,
                    recap_index_errmsg(idx));
    } else {
        fprintf(stderr, "%s: error: %s: %s\n", prog, relpath,
                recap_index_errmsg(idx));
    }
}

/* Progress of recap_index_add_files(). */
typedef struct file_ctx {
    run *r;
    recap_index *idx;
    size_t n;
    double started;
} file_ctx;

static void
on_file(void *ctx, size_t i, const char *relpath, recap_status rc,
        const char *msg)
{
    file_ctx *f = ctx;

    (void)msg; /* also recap_index_errmsg(), which report_file prints */
    if (rc != RECAP_OK)
        report_file(f->r, f->idx, relpath, rc);
    /* Files are reported in list order, but the threads of a full build
     * each work through a range of the list: count what all have done. */
    if (f->r->progress && (i % 64 == 0 || i + 1 == f->n)) {
        size_t done = recap_index_files_done(f->idx);
        show_progress(done > i + 1 ? done : i + 1, f->n, f->started);
    }
}

/* --check: the consistency check, then the document count as a reader
 * sees it. */
static int
check_index(const char *db)
{
    recap_index *idx = NULL;
    char *errmsg = NULL;
    uint64_t n = 0;
    int status = CLI_EXIT_ERROR;

    if (recap_index_check(db, &errmsg) != RECAP_OK ||
        recap_index_open(db, RECAP_OPEN_READ, &idx, &errmsg) != RECAP_OK) {
        fprintf(stderr, "%s: %s\n", prog, errmsg ? errmsg : "check failed");
        goto done;
    }
    if (recap_index_doc_count(idx, &n) != RECAP_OK) {
        fprintf(stderr, "%s: %s\n", prog, recap_index_errmsg(idx));
        goto done;
    }
    printf("%s: index at %s is sound: %llu documents\n", prog, db,
           (unsigned long long)n);
    status = CLI_EXIT_OK;
done:
    recap_index_close(idx);
    free(errmsg);
    return status;
}

static int
index_tree(run *r, recap_index *idx, const char *root, char **paths, size_t n,
           const char *db)
{
    recap_index_stats st;
    double started = util_now(), el;
    file_ctx f = {r, idx, n, started};
    recap_status rc;

    if ((rc = recap_index_set_shards(idx, r->shards)) ||
        (rc = recap_index_begin(idx, RECAP_BEGIN_FULL)) ||
        (r->synonyms && (rc = recap_index_load_synonyms(idx, r->synonyms)))) {
        fprintf(stderr, "%s: %s\n", prog, recap_index_errmsg(idx));
        return CLI_EXIT_ERROR;
    }
    rc = recap_index_add_files(idx, root, (const char *const *)paths, n, 0,
                               on_file, &f);
    if (rc != RECAP_OK) {
        if (r->progress)
            fputs("\r\033[K", stderr);
        fprintf(stderr, "%s: %s; nothing was committed\n", prog,
                recap_index_errmsg(idx));
        recap_index_cancel(idx);
        return CLI_EXIT_ERROR;
    }
    /* The commit merges the parts the threads wrote (minutes on a site of
     * a million pages): say so rather than stand still at 100%. */
    if (r->progress) {
        fprintf(stderr, "\r\033[K[%zu/%zu] 100%%  writing the index...", n, n);
        fflush(stderr);
    }
    rc = recap_index_commit(idx);
    if (r->progress)
        fputs("\r\033[K", stderr);
    if (rc) {
        fprintf(stderr, "%s: %s; nothing was committed\n", prog,
                recap_index_errmsg(idx));
        return CLI_EXIT_ERROR;
    }
    recap_index_get_stats(idx, &st);
    el = util_now() - started;
    if (!r->quiet)
        fprintf(
            stderr,
            "%s: indexed %llu documents (%llu skipped, %llu failed, "
            "%llu removed, %llu warnings), %llu terms, %.1f MB in "
            "%.2f s (%.1f MB/s), %llu unknown shortcodes, into %s\n",
            prog, (unsigned long long)st.n_added,
            (unsigned long long)st.n_skipped, (unsigned long long)st.n_failed,
            (unsigned long long)st.n_deleted, (unsigned long long)st.n_warnings,
            (unsigned long long)st.n_terms, st.n_bytes / 1e6, el,
            el > 0 ? st.n_bytes / 1e6 / el : 0.0,
            (unsigned long long)st.n_unknown_shortcodes, db);
    if (!r->quiet)
        print_unknown(idx);
    if (r->n_walk_problems && !r->quiet)
        fprintf(stderr, "%s: %zu folders could not be walked (listed above)\n",
                prog, r->n_walk_problems);
    return st.n_failed || r->n_walk_problems ? CLI_EXIT_NONE : CLI_EXIT_OK;
}

/* --jsonl: documents from a JSON-lines file instead of a folder. */
static int
index_jsonl(const char *file, const char *db_opt, const char *lang, run *r)
{
    const char *db = cli_db_path(db_opt);
    recap_index *idx = NULL;
    char *errmsg = NULL;
    int status = CLI_EXIT_ERROR;

    if (recap_index_open(db, RECAP_OPEN_CREATE, &idx, &errmsg) != RECAP_OK)
        fprintf(stderr, "%s: %s\n", prog, errmsg);
    else if (recap_index_set_default_lang(idx, lang) != RECAP_OK)
        fprintf(stderr, "%s: --lang: invalid language '%s'\n", prog, lang);
    else {
        recap_index_set_warn(idx, on_warn, r);
        status = index_cmd_jsonl(prog, idx, file, r->quiet, db);
    }
    recap_index_close(idx);
    free(errmsg);
    return status;
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"lang", required_argument, NULL, 'l'},
        {"synonyms", required_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"jsonl", required_argument, NULL, 'J'},
        {"full", no_argument, NULL, 'F'},
        {"shards", required_argument, NULL, 'N'},
        {"watch", no_argument, NULL, 'W'},
        {"progress", no_argument, NULL, 'p'},
        {"check", no_argument, NULL, 'c'},
        {"params", required_argument, NULL, 'P'},
        {"shortcodes", required_argument, NULL, 'S'},
        {"include-drafts", no_argument, NULL, 'D'},
        {"include-future", no_argument, NULL, 'T'},
        {"include-expired", no_argument, NULL, 'E'},
        {"dump", required_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    const char *db_opt = NULL, *lang = "en", *db, *jsonl = NULL;
    const char *dump_file = NULL;
    recap_ingest_options iopts = RECAP_INGEST_OPTIONS_INIT;
    char *errmsg = NULL, *root = NULL, **paths = NULL;
    size_t n = 0;
    recap_index *idx = NULL;
    run r = {0};
    int c, force_progress = 0, status = CLI_EXIT_ERROR, full = 0, watch = 0;
    int check = 0;
    uint64_t n_docs = 0;
    uint32_t shards = 0;

    while ((c = getopt_long(argc, argv, "qhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db_opt = optarg;
            break;
        case 'l':
            lang = optarg;
            break;
        case 's':
            r.synonyms = optarg;
            break;
        case 'q':
            r.quiet = 1;
            break;
        case 'J':
            jsonl = optarg;
            break;
        case 'F':
            full = 1;
            break;
        case 'N':
            if (cli_parse_uint(prog, "--shards", optarg, 64, &shards) < 0)
                return CLI_EXIT_ERROR;
            r.shards = shards ? shards : 1;
            full = 1;
            break;
        case 'W':
            watch = 1;
            break;
        case 'p':
            force_progress = 1;
            break;
        case 'c':
            check = 1;
            break;
        case 'P':
            iopts.params_file = optarg;
            break;
        case 'S':
            iopts.shortcodes_file = optarg;
            break;
        case 'D':
            iopts.include |= RECAP_INCLUDE_DRAFTS;
            break;
        case 'T':
            iopts.include |= RECAP_INCLUDE_FUTURE;
            break;
        case 'E':
            iopts.include |= RECAP_INCLUDE_EXPIRED;
            break;
        case 'u':
            dump_file = optarg;
            break;
        default:
            return cli_common_option(prog, c, usage);
        }
    }
    if (check && optind == argc)
        return check_index(cli_db_path(db_opt));
    if (dump_file && optind >= argc - 1) {
        iopts.default_lang = lang;
        return dump(&iopts, optind < argc ? argv[optind] : NULL, dump_file);
    }
    if (jsonl && optind == argc && !check)
        return index_jsonl(jsonl, db_opt, lang, &r);
    if (check || optind != argc - 1) {
        fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", prog,
                check            ? "--check takes no content folder"
                : optind == argc ? "no content folder given"
                                 : "give exactly one content folder",
                prog);
        return CLI_EXIT_ERROR;
    }
    r.progress = !r.quiet && (force_progress || cli_isatty(stderr));
    db = cli_db_path(db_opt);
    if (recap_index_open(db, RECAP_OPEN_CREATE, &idx, &errmsg) != RECAP_OK) {
        fprintf(stderr, "%s: %s\n", prog, errmsg);
        goto done;
    }
    if (recap_index_set_default_lang(idx, lang) != RECAP_OK) {
        fprintf(stderr, "%s: --lang: invalid language '%s'\n", prog, lang);
        goto done;
    }
    if (recap_index_set_ingest_options(idx, &iopts) != RECAP_OK) {
        fprintf(stderr, "%s: %s\n", prog, recap_index_errmsg(idx));
        goto done;
    }
    recap_index_set_warn(idx, on_warn, &r);
    /* An index with documents is brought up to date incrementally. */
    if (!full && recap_index_doc_count(idx, &n_docs) == RECAP_OK && n_docs) {
        status = index_cmd_sync(prog, idx, argv[optind], r.synonyms, r.quiet,
                                r.progress, db);
        goto watch;
    }
    if (ingest_walk_report(argv[optind], &paths, &n, &root, on_walk_problem, &r,
                           &r.n_walk_problems, &errmsg) != RECAP_OK) {
        fprintf(stderr, "%s: %s\n", prog, errmsg ? errmsg : "cannot list");
        goto done;
    }
    status = index_tree(&r, idx, root ? root : argv[optind], paths, n, db);
watch:
    if (watch && status != CLI_EXIT_ERROR)
        status =
            index_cmd_watch(prog, idx, argv[optind], r.synonyms, r.quiet, db);
done:
    recap_index_close(idx);
    ingest_paths_free(paths, n);
    free(root);
    free(errmsg);
    return status;
}
