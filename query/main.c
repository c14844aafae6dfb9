/*
 * recapsearch: searches an index built by recapsearch-index.
 *
 * A thin program over the public API: parse options, run recap_search,
 * print the hits as text (bold matches on a terminal) or JSON.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "recapsearch.h"
#include "util.h"

static const char *prog = "recapsearch";

static void
usage(FILE *f)
{
    fprintf(f,
"Usage: recapsearch [OPTION]... QUERY...\n"
"Search a site indexed with recapsearch-index.\n"
"\n"
"The words of QUERY are all wanted: pages that have every word come first,\n"
"ranked by relevance (title, keywords and description weigh more than the\n"
"body), followed by pages that have only some of them.  Words match their\n"
"other forms (\"clusters\" finds \"cluster\"), technical terms match as\n"
"written and by their parts (\"multi-cluster\", \"multicluster\"), and\n"
"Chinese text needs no spaces.  Several arguments are joined with spaces.\n"
"\n"
"Options:\n"
"  -n, --limit N          show N hits (default 10)\n"
"      --offset N         skip the first N hits (for paging)\n"
"      --lang LANG        search pages in LANG (default: the language most\n"
"                         pages of the index are in); '*' for all\n"
"      --db DIR           index directory (default: $RECAPSEARCH_DB, else\n"
"                         ./.recapsearch)\n"
"      --section NAME     only pages of this section (blog, docs, news...)\n"
"      --tag TAG          only pages with this keyword, tag or category\n"
"      --author NAME      only pages by this author\n"
"      --since DATE       only pages published on or after DATE\n"
"      --until DATE       only pages published on or before DATE\n"
"                         (DATE: YYYY, YYYY-MM or YYYY-MM-DD)\n"
"      --sort ORDER       relevance (default) or date (newest first)\n"
"      --ranking K=V,...  ranking parameters: k1 and b (BM25), proximity\n"
"                         (bonus for words together), code (weight of\n"
"                         matches in code); default k1=2,b=0.4,\n"
"                         proximity=0.5,code=0.3\n"
"      --exact            search the words as typed, without spelling\n"
"                         correction (a suggestion is still shown)\n"
"      --strict           report a malformed query instead of reading it\n"
"                         as plain words\n"
"      --json             print one JSON object (schema in README.md)\n"
"      --snippet-length N snippet length in characters (default 200)\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"Exit status: 0 when something was found, 1 when nothing was, 2 on a\n"
"usage error or when the index cannot be read.\n"
"\n"
"Examples:\n"
"  recapsearch \"ambient mesh multi-cluster\"\n"
"  recapsearch --json -n 5 CVE-2019-12995\n"
"  recapsearch --lang zh 多集群\n");
}

/* Prints `text` with the highlight ranges in bold when `bold`. */
static void
print_snippet(const recap_snippet *sn, int bold)
{
    const char *text = recap_snippet_text(sn);
    size_t n = recap_snippet_highlight_count(sn), at = 0, i, off, len;

    fputs("   ", stdout);
    for (i = 0; i < n; i++) {
        recap_snippet_highlight(sn, i, &off, &len);
        fwrite(text + at, 1, off - at, stdout);
        if (bold)
            fputs("\033[1m", stdout);
        fwrite(text + off, 1, len, stdout);
        if (bold)
            fputs("\033[0m", stdout);
        at = off + len;
    }
    fputs(text + at, stdout);
    fputc('\n', stdout);
}

static void
print_text(const recap_results *res, int bold)
{
    size_t i, j, n = recap_results_count(res);

    if (recap_results_suggestion(res))
        printf(recap_results_corrected(res) ? "Showing results for \"%s\" "
                                              "(search only \"%s\" with "
                                              "--exact)\n"
                                            : "Did you mean \"%s\"?\n",
               recap_results_suggestion(res), recap_results_query(res));
    printf("%s%llu result%s for \"%s\" (%.1f ms)\n",
           recap_results_total_exact(res) ? "" : "about ",
           (unsigned long long)recap_results_total(res),
           recap_results_total(res) == 1 ? "" : "s", recap_results_query(res),
           recap_results_elapsed(res) * 1000.0);
    for (i = 0; i < n; i++) {
        const recap_hit *h = recap_results_hit(res, i);
        const char *title = recap_hit_title(h);
        printf("\n%u. %s%s%s\n", recap_hit_rank(h), bold ? "\033[1m" : "",
               title && *title ? title : recap_hit_path(h),
               bold ? "\033[0m" : "");
        printf("   %s", recap_hit_url(h));
        if (recap_hit_date(h))
            printf("  ·  %.10s", recap_hit_date(h));
        if (recap_hit_section(h) && *recap_hit_section(h))
            printf("  ·  %s", recap_hit_section(h));
        fputc('\n', stdout);
        for (j = 0; j < recap_hit_snippet_count(h); j++) {
            const recap_snippet *sn = recap_hit_snippet(h, j);
            if (recap_snippet_heading(sn))
                printf("   § %s\n", recap_snippet_heading(sn));
            print_snippet(sn, bold);
        }
    }
}

/* Parses "k1=2,b=0.4,proximity=0.5,code=0.3" (any subset) into `r`. */
static int
parse_ranking(const char *arg, recap_ranking *r)
{
    static const char *const names[] = {"k1", "b", "proximity", "code"};
    double *fields[] = {&r->k1, &r->b, &r->proximity, &r->code};
    const char *p = arg;
    char *end;
    size_t i, n;

    while (*p) {
        for (i = 0; i < UTIL_ARRAY_LEN(names); i++) {
            n = strlen(names[i]);
            if (strncmp(p, names[i], n) == 0 && p[n] == '=')
                break;
        }
        if (i == UTIL_ARRAY_LEN(names)) {
            fprintf(stderr, "%s: --ranking: unknown parameter at '%s' "
                            "(known: k1, b, proximity, code)\n", prog, p);
            return -1;
        }
        *fields[i] = strtod(p + n + 1, &end);
        if (end == p + n + 1 || (*end && *end != ',')) {
            fprintf(stderr, "%s: --ranking: %s needs a number\n", prog,
                    names[i]);
            return -1;
        }
        p = *end ? end + 1 : end;
    }
    return 0;
}

/* Joins the query arguments with spaces. */
static char *
join_args(int argc, char **argv)
{
    strbuf b = STRBUF_INIT;
    int i;

    for (i = 0; i < argc; i++) {
        if (i)
            strbuf_putc(&b, ' ');
        strbuf_puts(&b, argv[i]);
    }
    return strbuf_detach(&b, NULL);
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"limit", required_argument, NULL, 'n'},
        {"offset", required_argument, NULL, 'o'},
        {"lang", required_argument, NULL, 'l'},
        {"db", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"snippet-length", required_argument, NULL, 's'},
        {"section", required_argument, NULL, 'S'},
        {"tag", required_argument, NULL, 'T'},
        {"author", required_argument, NULL, 'A'},
        {"since", required_argument, NULL, 'F'},
        {"until", required_argument, NULL, 'U'},
        {"sort", required_argument, NULL, 'O'},
        {"ranking", required_argument, NULL, 'R'},
        {"strict", no_argument, NULL, 'X'},
        {"exact", no_argument, NULL, 'E'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    recap_search_options opts = RECAP_SEARCH_OPTIONS_INIT;
    recap_ranking ranking = RECAP_RANKING_INIT;
    const char *db_opt = NULL;
    char *errmsg = NULL, *query = NULL, *json;
    recap_index *idx = NULL;
    recap_results *res = NULL;
    int c, as_json = 0, status = CLI_EXIT_ERROR;

    while ((c = getopt_long(argc, argv, "n:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (cli_parse_uint(prog, "--limit", optarg, 10000, &opts.limit))
                return CLI_EXIT_ERROR;
            break;
        case 'o':
            if (cli_parse_uint(prog, "--offset", optarg, 1000000,
                               &opts.offset))
                return CLI_EXIT_ERROR;
            break;
        case 's':
            if (cli_parse_uint(prog, "--snippet-length", optarg, 100000,
                               &opts.snippet_length))
                return CLI_EXIT_ERROR;
            break;
        case 'l': opts.lang = optarg; break;
        case 'S': opts.section = optarg; break;
        case 'T': opts.tag = optarg; break;
        case 'A': opts.author = optarg; break;
        case 'F': opts.since = optarg; break;
        case 'U': opts.until = optarg; break;
        case 'O':
            if (strcmp(optarg, "relevance") && strcmp(optarg, "date")) {
                fprintf(stderr, "%s: --sort: expected 'relevance' or 'date', "
                                "got '%s'\n", prog, optarg);
                return CLI_EXIT_ERROR;
            }
            opts.sort = strcmp(optarg, "date") ? RECAP_SORT_RELEVANCE
                                               : RECAP_SORT_DATE;
            break;
        case 'd': db_opt = optarg; break;
        case 'j': as_json = 1; break;
        case 'X': opts.flags |= RECAP_SEARCH_STRICT; break;
        case 'E': opts.flags |= RECAP_SEARCH_EXACT; break;
        case 'R':
            if (parse_ranking(optarg, &ranking))
                return CLI_EXIT_ERROR;
            break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        case 'V': printf("%s %s\n", prog, recap_version()); return 0;
        default:
            fprintf(stderr, "Try '%s --help' for more information.\n", prog);
            return CLI_EXIT_ERROR;
        }
    }
    if (optind == argc) {
        fprintf(stderr, "%s: no query given\nTry '%s --help' for more "
                        "information.\n", prog, prog);
        return CLI_EXIT_ERROR;
    }
    if (opts.limit == 0)
        opts.limit = 10;
    if (!(query = join_args(argc - optind, argv + optind)))
        goto done;
    opts.query = query;
    if (recap_index_open(cli_db_path(db_opt), RECAP_OPEN_READ, &idx,
                         &errmsg)) {
        fprintf(stderr, "%s: %s\n", prog, errmsg);
        goto done;
    }
    if (recap_index_set_ranking(idx, &ranking)) {
        fprintf(stderr, "%s: --ranking: %s\n", prog, recap_index_errmsg(idx));
        goto done;
    }
    if (recap_search(idx, &opts, &res)) {
        fprintf(stderr, "%s: %s\n", prog, recap_index_errmsg(idx));
        goto done;
    }
    if (as_json) {
        if (!(json = recap_results_json(res, 0)))
            goto done;
        puts(json);
        free(json);
    } else {
        print_text(res, cli_isatty(stdout) && !getenv("NO_COLOR"));
    }
    status = recap_results_count(res) ? CLI_EXIT_OK : CLI_EXIT_NONE;
done:
    recap_results_free(res);
    recap_index_close(idx);
    free(errmsg);
    free(query);
    return status;
}
