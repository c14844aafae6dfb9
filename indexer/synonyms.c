/*
 * synonyms.c: loading a synonyms file into the index's synonym table.
 *
 * The file has one group of equivalent words per line, separated by
 * commas; a member may have several words ("mutual tls").  Blank lines and
 * lines starting with '#' are ignored:
 *
 *     k8s, kubernetes
 *     mtls, mutual tls
 *
 * Every member becomes a synonym of every other member of its group.  Keys
 * are normalised the way the analyser normalises words, with runs of white
 * space made single spaces, so the query side finds them by term.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "index_int.h"
#include "util.h"

#define SYN_MAX_MEMBERS 32

/* Normalises one member: trimmed, lower-cased (NFKC + case fold), inner
 * white space collapsed.  Returns NULL for an empty member. */
static char *
normalize_member(const char *s, size_t len)
{
    strbuf b = STRBUF_INIT;
    char *norm = NULL, *p;
    size_t norm_len, i;
    int space = 0;

    if (analysis_normalize(s, len, &norm, &norm_len) < 0)
        return NULL;
    for (i = 0; i < norm_len; i++) {
        char c = norm[i];
        if (c == ' ' || c == '\t' || c == '\r') {
            space = b.len > 0;
            continue;
        }
        if (space)
            strbuf_putc(&b, ' ');
        space = 0;
        strbuf_putc(&b, c);
    }
    free(norm);
    p = strbuf_detach(&b, NULL);
    if (p && !*p) {
        free(p);
        p = NULL;
    }
    return p;
}

/* Adds one line's group; returns the number of members, or -1. */
static int
add_group(recap_index *idx, const char *line, size_t len, xap_error *err)
{
    char *m[SYN_MAX_MEMBERS];
    size_t n = 0, i, j, start = 0;
    int rc = 0;

    for (i = 0; i <= len && n < SYN_MAX_MEMBERS; i++) {
        if (i < len && line[i] != ',')
            continue;
        if ((m[n] = normalize_member(line + start, i - start)))
            n++;
        start = i + 1;
    }
    for (i = 0; i < n && rc == 0; i++)
        if (xap_db_clear_synonyms(idx->db, m[i], strlen(m[i]), err))
            rc = -1;
    for (i = 0; i < n && rc == 0; i++)
        for (j = 0; j < n && rc == 0; j++)
            if (i != j && xap_db_add_synonym(idx->db, m[i], strlen(m[i]), m[j],
                                             strlen(m[j]), err))
                rc = -1;
    for (i = 0; i < n; i++)
        free(m[i]);
    return rc < 0 ? -1 : (int)n;
}

recap_status
recap_index_load_synonyms(recap_index *idx, const char *path)
{
    char *data = NULL, *line, *nl;
    size_t len, lineno = 0;
    xap_error err;

    if (!idx || !path)
        return RECAP_EINVAL;
    if (idx->mode == RECAP_OPEN_READ || !idx->in_batch)
        return index_fail(idx, RECAP_EINVAL,
                          "synonyms are loaded into a writable index, "
                          "inside a batch");
    if (util_read_file(path, &data, &len) < 0)
        return index_fail(idx, RECAP_EIO, "cannot read synonyms file %s", path);
    for (line = data; line < data + len; line = nl + 1) {
        nl = memchr(line, '\n', (size_t)(data + len - line));
        if (!nl)
            nl = data + len;
        lineno++;
        while (line < nl && (*line == ' ' || *line == '\t'))
            line++;
        if (line == nl || *line == '#')
            continue;
        int n = add_group(idx, line, (size_t)(nl - line), &err);
        if (n < 0) {
            free(data);
            return index_fail(idx, err.rc, "%s line %zu: %s", path, lineno,
                              err.msg);
        }
        if (n == 1 && idx->warn)
            idx->warn(idx->warn_ctx, path, (unsigned)lineno,
                      "a synonym group needs at least two members");
    }
    free(data);
    return RECAP_OK;
}
