/*
 * cmd_related.c: the `recapsearch related` and `recapsearch export related`
 * subcommands, over the public API (recap_related, recap_related_export).
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "recapsearch.h"

static void
related_usage(FILE *f)
{
    fprintf(
        f,
        "Usage: recapsearch related [OPTION]... PATH|URL\n"
        "List the pages most related to a page (more like this).\n"
        "\n"
        "The page is named by its path as indexed (en/blog/2025/x/index.md) or "
        "its\n"
        "URL (/blog/2025/x/, a full URL, or one of its aliases).  Its most\n"
        "distinctive words and keywords are matched against the other pages of "
        "its\n"
        "language; the page itself, its translations and its aliases are left "
        "out.\n"
        "\n"
        "Options:\n"
        "  -n, --limit N     show N related pages (default 5)\n"
        "      --lang LANG   look in pages of LANG (default: the page's "
        "language);\n"
        "                    '*' for all\n"
        "      --terms N     match on the page's N most distinctive terms\n"
        "                    (default 30)\n"
        "      --db DIR      index directory (default: $RECAPSEARCH_DB, else\n"
        "                    ./.recapsearch)\n"
        "      --json        print one JSON object (the schema of recapsearch\n"
        "                    --json; hits have no snippets)\n"
        "  -h, --help        show this help and exit\n"
        "\n"
        "Exit status: 0 when related pages were found, 1 when none were, 2 on "
        "a\n"
        "usage error, an unknown page, or when the index cannot be read.\n");
}

static void
export_usage(FILE *f)
{
    fprintf(
        f,
        "Usage: recapsearch export related [OPTION]...\n"
        "Write the related pages of every page as a Hugo data file (JSON) to\n"
        "standard output: {\"/page/url/\": [{\"title\", \"url\", \"date\", "
        "\"score\"},\n"
        "...], ...}.  Save it as data/related.json and a template reads it "
        "with\n"
        "index site.Data.related .RelPermalink.\n"
        "\n"
        "Options:\n"
        "  -n, --limit N     related pages per page (default 5)\n"
        "      --lang LANG   only pages in LANG (default: all languages; "
        "related\n"
        "                    pages are always in the page's own language)\n"
        "      --terms N     distinctive terms per page (default 30)\n"
        "      --db DIR      index directory (default: $RECAPSEARCH_DB, else\n"
        "                    ./.recapsearch)\n"
        "      --pretty      indent the JSON\n"
        "  -o, --output FILE write to FILE instead of standard output\n"
        "  -h, --help        show this help and exit\n"
        "\n"
        "Exit status: 0 on success, 2 on a usage error or when the index "
        "cannot\n"
        "be read.\n"
        "\n"
        "Example:\n"
        "  recapsearch export related --limit 5 > data/related.json\n");
}

static void
print_related(const recap_results *res, int bold)
{
    size_t i, n = recap_results_count(res);

    printf("%zu page%s related to %s\n", n, n == 1 ? "" : "s",
           recap_results_query(res));
    for (i = 0; i < n; i++) {
        const recap_hit *h = recap_results_hit(res, i);
        const char *title = recap_hit_title(h);
        printf("\n%u. %s%s%s\n   %s", recap_hit_rank(h), bold ? "\033[1m" : "",
               title && *title ? title : recap_hit_path(h),
               bold ? "\033[0m" : "", recap_hit_url(h));
        if (recap_hit_date(h))
            printf("  ·  %.10s", recap_hit_date(h));
        printf("  ·  %.2f\n", recap_hit_score(h));
    }
}

/* Options both subcommands take; returns -1 on a usage error, 1 after
 * --help, 0 to go on. */
typedef struct rel_args {
    recap_related_options ro;
    const char *db, *output;
    int json, pretty;
} rel_args;

static int
parse(const char *prog, int argc, char **argv, rel_args *a,
      void (*usage)(FILE *))
{
    static const struct option longopts[] = {
        {"limit", required_argument, NULL, 'n'},
        {"lang", required_argument, NULL, 'l'},
        {"terms", required_argument, NULL, 't'},
        {"db", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"pretty", no_argument, NULL, 'p'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "n:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (cli_parse_uint(prog, "--limit", optarg, 1000, &a->ro.limit))
                return -1;
            break;
        case 't':
            if (cli_parse_uint(prog, "--terms", optarg, 200, &a->ro.max_terms))
                return -1;
            break;
        case 'l':
            a->ro.lang = optarg;
            break;
        case 'd':
            a->db = optarg;
            break;
        case 'j':
            a->json = 1;
            break;
        case 'p':
            a->pretty = 1;
            break;
        case 'o':
            a->output = optarg;
            break;
        case 'h':
            usage(stdout);
            return 1;
        default:
            fprintf(stderr, "Try '%s --help' for more information.\n", prog);
            return -1;
        }
    }
    return 0;
}

static recap_index *
open_index(const char *prog, const char *db)
{
    recap_index *idx = NULL;
    char *errmsg = NULL;

    if (recap_index_open(cli_db_path(db), RECAP_OPEN_READ, &idx, &errmsg)) {
        fprintf(stderr, "%s: %s\n", prog, errmsg);
        free(errmsg);
        return NULL;
    }
    return idx;
}

int
cmd_related(int argc, char **argv)
{
    const char *prog = "recapsearch related";
    rel_args a = {RECAP_RELATED_OPTIONS_INIT, NULL, NULL, 0, 0};
    recap_index *idx = NULL;
    recap_results *res = NULL;
    char *json;
    int rc, status = CLI_EXIT_ERROR;

    if ((rc = parse(prog, argc, argv, &a, related_usage)))
        return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
    if (optind != argc - 1) {
        fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", prog,
                optind == argc ? "no page given" : "give one page", prog);
        return CLI_EXIT_ERROR;
    }
    a.ro.page = argv[optind];
    if (!(idx = open_index(prog, a.db)))
        return CLI_EXIT_ERROR;
    if (recap_related(idx, &a.ro, &res)) {
        fprintf(stderr, "%s: %s\n", prog, recap_index_errmsg(idx));
        goto done;
    }
    if (a.json) {
        if (!(json = recap_results_json(res, 0)))
            goto done;
        puts(json);
        free(json);
    } else {
        print_related(res, cli_isatty(stdout) && !getenv("NO_COLOR"));
    }
    status = recap_results_count(res) ? CLI_EXIT_OK : CLI_EXIT_NONE;
done:
    recap_results_free(res);
    recap_index_close(idx);
    return status;
}

static int
export_related(int argc, char **argv)
{
    const char *prog = "recapsearch export related";
    rel_args a = {RECAP_RELATED_OPTIONS_INIT, NULL, NULL, 0, 0};
    recap_index *idx = NULL;
    char *json = NULL;
    FILE *f = stdout;
    int rc, status = CLI_EXIT_ERROR;

    if ((rc = parse(prog, argc, argv, &a, export_usage)))
        return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
    if (optind != argc) {
        fprintf(stderr,
                "%s: unexpected argument '%s'\nTry '%s --help' for "
                "more information.\n",
                prog, argv[optind], prog);
        return CLI_EXIT_ERROR;
    }
    if (!(idx = open_index(prog, a.db)))
        return CLI_EXIT_ERROR;
    if (recap_related_export(idx, &a.ro, a.pretty, &json)) {
        fprintf(stderr, "%s: %s\n", prog, recap_index_errmsg(idx));
        goto done;
    }
    if (a.output && !(f = fopen(a.output, "w"))) {
        perror(a.output);
        goto done;
    }
    fputs(json, f);
    fputc('\n', f);
    if ((f != stdout && fclose(f) != 0) || (f == stdout && fflush(f) != 0)) {
        perror(a.output ? a.output : "standard output");
        goto done;
    }
    status = CLI_EXIT_OK;
done:
    free(json);
    recap_index_close(idx);
    return status;
}

int
cmd_export(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "related") == 0)
        return export_related(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("Usage: recapsearch export related [OPTION]...\n"
               "Exports: related (the related pages of every page, as a "
               "Hugo data file).\n");
        return CLI_EXIT_OK;
    }
    fprintf(stderr,
            "recapsearch export: %s\nTry 'recapsearch export related "
            "--help' for more information.\n",
            argc < 2 ? "say what to export: related" : "unknown export");
    return CLI_EXIT_ERROR;
}
