/*
 * recapsearch: searches an index built by recapsearch-index.
 *
 * A thin program over the public API: parse options, run recap_search,
 * print the hits with recap_results_format: text (wrapped to the terminal,
 * matches bold on a terminal), JSON, JSON Lines, paths or TSV.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "recapsearch.h"
#include "util.h"

static const char *prog = "recapsearch";

static void
usage(FILE *f)
{
    fprintf(
        f,
        "Usage: recapsearch [OPTION]... QUERY...\n"
        "   or: recapsearch related [OPTION]... PATH|URL\n"
        "   or: recapsearch export related [OPTION]...\n"
        "Search a site indexed with recapsearch-index.\n"
        "\n"
        "The words of QUERY are all wanted: pages that have every word come "
        "first,\n"
        "ranked by relevance (title, keywords and description weigh more than "
        "the\n"
        "body), followed by pages that have only some of them.  Words match "
        "their\n"
        "other forms (\"clusters\" finds \"cluster\"), technical terms match "
        "as\n"
        "written and by their parts (\"multi-cluster\", \"multicluster\"), "
        "and\n"
        "Chinese text needs no spaces.  Several arguments are joined with "
        "spaces.\n"
        "A misspelt word also finds its correction from the index's own words\n"
        "(\"Showing results for ...\"); --exact searches only what was typed.\n"
        "\n"
        "Query syntax:\n"
        "  ambient mesh           pages with all the words first, then with "
        "some\n"
        "  \"ambient mesh\"         the exact phrase\n"
        "  mesh -sidecar          exclude a word (or -\"a phrase\")\n"
        "  a OR b, a AND b, NOT a operators (upper case); parentheses group\n"
        "  title:ztunnel          a field: title, description, keyword, tag,\n"
        "                         author, section, lang, heading, code, url\n"
        "  date:2024  date:2024-03..2025-06  after:2024-01  before:2025\n"
        "  mesh*                  words starting with mesh (the 100 most "
        "frequent)\n"
        "  ambient NEAR/5 mesh    words at most 5 positions apart (default "
        "10)\n"
        "Malformed queries are read as plain words (--strict reports them).\n"
        "\n"
        "Options:\n"
        "  -n, --limit N          show N hits (default 10)\n"
        "      --offset N         skip the first N hits (for paging)\n"
        "      --lang LANG        search pages in LANG (default: the language "
        "most\n"
        "                         pages of the index are in); '*' for all\n"
        "      --db DIR           index directory (default: $RECAPSEARCH_DB, "
        "else\n"
        "                         ./.recapsearch)\n"
        "      --section NAME     only pages of this section (blog, docs, "
        "news...)\n"
        "      --tag TAG          only pages with this keyword, tag or "
        "category\n"
        "      --author NAME      only pages by this author\n"
        "      --since DATE       only pages published on or after DATE\n"
        "      --until DATE       only pages published on or before DATE\n"
        "                         (DATE: YYYY, YYYY-MM or YYYY-MM-DD)\n"
        "      --sort ORDER       relevance (default) or date (newest first)\n"
        "      --ranking K=V,...  ranking parameters: k1 and b (BM25), "
        "loose_k1\n"
        "                         (BM25's k1 for pages missing a word),\n"
        "                         proximity (bonus for words together), code\n"
        "                         (weight of matches in code), prior (bonus\n"
        "                         for pages with text of their own over\n"
        "                         section lists);\n"
        "                         scheme (bm25, bm25plus, dph, pl2, pl2plus,\n"
        "                         inl2, lm), delta (bm25plus, pl2plus), c\n"
        "                         (pl2, pl2plus, inl2), mu (lm); default\n"
        "                         scheme=bm25,k1=3,b=0.5,loose_k1=0.5,\n"
        "                         proximity=0.5,code=0.3,prior=10\n"
        "      --exact            search the words as typed, without spelling\n"
        "                         correction (a suggestion is still shown)\n"
        "      --strict           report a malformed query instead of reading "
        "it\n"
        "                         as plain words\n"
        "      --facets LIST      count the whole match set by these facets, "
        "from\n"
        "                         section,year,tag,author,lang\n"
        "      --format FORMAT    text (default), json (schema in README.md), "
        "jsonl\n"
        "                         (one hit per line), paths, or tsv\n"
        "      --json             the same as --format json\n"
        "      --snippet-length N snippet length in characters (default 200)\n"
        "      --snippets N       passages per hit, from different sections\n"
        "                         (default 3, at most 3; 0 for none, faster)\n"
        "      --color WHEN       bold and coloured matches: auto (the "
        "default: on\n"
        "                         a terminal unless NO_COLOR is set), always, "
        "never\n"
        "      --hyperlinks       make titles and sections clickable (OSC 8)\n"
        "      --base-url URL     prefix of the URLs shown and linked\n"
        "                         (https://example.com)\n"
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

/* Terminal columns for wrapping: $COLUMNS when set, else the terminal's
 * width when stdout is one, else 0 (no wrapping, for pipes). */
static unsigned
term_width(void)
{
    const char *env = getenv("COLUMNS");
    struct winsize ws;

    if (env && *env && atoi(env) > 0)
        return (unsigned)atoi(env);
    if (cli_isatty(stdout) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
        ws.ws_col > 0)
        return ws.ws_col;
    return 0;
}

/* --color=auto|always|never: auto is on for a terminal, unless $NO_COLOR
 * is set (to anything but "") or $TERM is "dumb".  Returns -1 for another
 * word. */
static int
want_color(const char *mode)
{
    const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

    if (strcmp(mode, "always") == 0)
        return 1;
    if (strcmp(mode, "never") == 0)
        return 0;
    if (strcmp(mode, "auto") != 0)
        return -1;
    return cli_isatty(stdout) && !(no && *no) &&
           !(term && strcmp(term, "dumb") == 0);
}

/* Parses the value of "scheme=" at `p` into `r`; returns the end of the
 * name, or NULL. */
static const char *
parse_scheme(const char *p, recap_ranking *r)
{
    static const char *const names[] = {"bm25",    "bm25plus", "dph", "pl2",
                                        "pl2plus", "inl2",     "lm"};
    size_t i, n = strcspn(p, ",");

    for (i = 0; i < UTIL_ARRAY_LEN(names); i++) {
        if (strlen(names[i]) == n && strncmp(p, names[i], n) == 0) {
            r->scheme = (recap_scheme)i;
            return p + n;
        }
    }
    fprintf(stderr,
            "%s: --ranking: unknown scheme '%.*s' (known: bm25, bm25plus, "
            "dph, pl2, pl2plus, inl2, lm)\n",
            prog, (int)n, p);
    return NULL;
}

/* Parses "scheme=bm25,k1=3,b=0.5,proximity=0.5,code=0.3,prior=10" (any
 * subset, and delta, c, mu) into `r`. */
static int
parse_ranking(const char *arg, recap_ranking *r)
{
    static const char *const names[] = {
        "k1",    "b", "proximity", "code",     "prior",
        "delta", "c", "mu",        "loose_k1", "scheme"};
    double *fields[] = {&r->k1,    &r->b, &r->proximity, &r->code,    &r->prior,
                        &r->delta, &r->c, &r->mu,        &r->loose_k1};
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
            fprintf(stderr,
                    "%s: --ranking: unknown parameter at '%s' "
                    "(known: scheme, k1, b, loose_k1, delta, c, mu, "
                    "proximity, code, prior)\n",
                    prog, p);
            return -1;
        }
        if (i == UTIL_ARRAY_LEN(fields)) {
            const char *e = parse_scheme(p + n + 1, r);
            if (!e)
                return -1;
            p = *e ? e + 1 : e;
            continue;
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
        {"format", required_argument, NULL, 'f'},
        {"facets", required_argument, NULL, 'a'},
        {"snippets", required_argument, NULL, 'N'},
        {"color", required_argument, NULL, 'C'},
        {"colour", required_argument, NULL, 'C'},
        {"hyperlinks", no_argument, NULL, 'H'},
        {"base-url", required_argument, NULL, 'B'},
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
    recap_format_options fo = RECAP_FORMAT_OPTIONS_INIT;
    const char *color = "auto";
    char *errmsg = NULL, *query = NULL, *out = NULL;
    size_t out_len;
    recap_index *idx = NULL;
    recap_results *res = NULL;
    int c, status = CLI_EXIT_ERROR;

    /* Subcommands (cmd.h); `recapsearch -- related` searches the word. */
    if (argc > 1 && strcmp(argv[1], "related") == 0)
        return cmd_related(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "export") == 0)
        return cmd_export(argc - 1, argv + 1);
    while ((c = getopt_long(argc, argv, "n:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (cli_parse_uint(prog, "--limit", optarg, 10000, &opts.limit))
                return CLI_EXIT_ERROR;
            break;
        case 'o':
            if (cli_parse_uint(prog, "--offset", optarg, 1000000, &opts.offset))
                return CLI_EXIT_ERROR;
            break;
        case 's':
            if (cli_parse_uint(prog, "--snippet-length", optarg, 100000,
                               &opts.snippet_length))
                return CLI_EXIT_ERROR;
            break;
        case 'l':
            opts.lang = optarg;
            break;
        case 'S':
            opts.section = optarg;
            break;
        case 'T':
            opts.tag = optarg;
            break;
        case 'A':
            opts.author = optarg;
            break;
        case 'F':
            opts.since = optarg;
            break;
        case 'U':
            opts.until = optarg;
            break;
        case 'O':
            if (strcmp(optarg, "relevance") && strcmp(optarg, "date")) {
                fprintf(stderr,
                        "%s: --sort: expected 'relevance' or 'date', "
                        "got '%s'\n",
                        prog, optarg);
                return CLI_EXIT_ERROR;
            }
            opts.sort =
                strcmp(optarg, "date") ? RECAP_SORT_RELEVANCE : RECAP_SORT_DATE;
            break;
        case 'd':
            db_opt = optarg;
            break;
        case 'j':
            fo.format = RECAP_FORMAT_JSON;
            break;
        case 'f':
            if (recap_format_from_name(optarg, &fo.format)) {
                fprintf(stderr,
                        "%s: --format: expected text, json, jsonl, "
                        "paths or tsv, got '%s'\n",
                        prog, optarg);
                return CLI_EXIT_ERROR;
            }
            break;
        case 'a':
            opts.facets = optarg;
            break;
        case 'N':
            if (cli_parse_uint(prog, "--snippets", optarg, 3,
                               &opts.max_snippets))
                return CLI_EXIT_ERROR;
            if (opts.max_snippets == 0)
                opts.flags |= RECAP_SEARCH_NO_SNIPPETS;
            break;
        case 'C':
            color = optarg;
            break;
        case 'H':
            fo.hyperlinks = 1;
            break;
        case 'B':
            fo.base_url = optarg;
            break;
        case 'X':
            opts.flags |= RECAP_SEARCH_STRICT;
            break;
        case 'E':
            opts.flags |= RECAP_SEARCH_EXACT;
            break;
        case 'R':
            if (parse_ranking(optarg, &ranking))
                return CLI_EXIT_ERROR;
            break;
        default:
            return cli_common_option(prog, c, usage);
        }
    }
    if (optind == argc) {
        fprintf(stderr,
                "%s: no query given\nTry '%s --help' for more "
                "information.\n",
                prog, prog);
        return CLI_EXIT_ERROR;
    }
    if (opts.limit == 0)
        opts.limit = 10;
    /* A list of paths shows no snippets: do not make them. */
    if (fo.format == RECAP_FORMAT_PATHS)
        opts.flags |= RECAP_SEARCH_NO_SNIPPETS;
    if ((fo.color = want_color(color)) < 0) {
        fprintf(stderr,
                "%s: --color: expected auto, always or never, got "
                "'%s'\n",
                prog, color);
        return CLI_EXIT_ERROR;
    }
    fo.width = term_width();
    if (!(query = join_args(argc - optind, argv + optind)))
        goto done;
    opts.query = query;
    if (recap_index_open(cli_db_path(db_opt), RECAP_OPEN_READ, &idx, &errmsg)) {
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
    if (recap_results_format(res, &fo, &out, &out_len)) {
        fprintf(stderr, "%s: out of memory\n", prog);
        goto done;
    }
    fwrite(out, 1, out_len, stdout);
    if (recap_results_missing_shards(res))
        fprintf(stderr,
                "%s: partial results: %u shard(s) of the index could not be "
                "reached\n",
                prog, recap_results_missing_shards(res));
    status = recap_results_count(res) ? CLI_EXIT_OK : CLI_EXIT_NONE;
done:
    recap_results_free(res);
    recap_index_close(idx);
    free(errmsg);
    free(query);
    free(out);
    return status;
}
