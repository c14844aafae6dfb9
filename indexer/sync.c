/*
 * sync.c: recap_index_sync, the incremental run: one walk of the content
 * folder, a stat() per file, a read only of files whose stamp differs, and
 * one commit.
 */
#define _DEFAULT_SOURCE /* fstatat, dirfd */
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "incremental.h"
#include "incremental_int.h"
#include "ingest.h"
#include "schema.h"
#include "util.h"

/* Deeper folders than this are not walked (as ingest_walk). */
#define SYNC_MAX_DEPTH 64

/* A markdown file found by the walk, with its stat() data. */
typedef struct found {
    char *path;
    int64_t size, mtime_ns;
} found;

typedef struct sync_run {
    recap_index *idx;
    const recap_sync_options *opts;
    recap_sync_stats *st;
    const char *root;
    char **paths; /* sorted */
    found *files; /* in the order of paths */
    size_t n, cap;
    int dirty; /* stamps changed without a document changing */
} sync_run;

/* ---- walking ------------------------------------------------------------ */

/*
 * The same files as ingest_walk (markdown, hidden entries skipped, links
 * followed, dangling ones ignored), but with one fstatat() per entry
 * relative to its folder, whose result is kept: on a site of thousands of
 * pages, path lookups are most of the cost of a run that changes nothing.
 */
static int
is_markdown(const char *name)
{
    const char *dot = strrchr(name, '.');

    return dot && dot != name &&
           (strcmp(dot, ".md") == 0 || strcmp(dot, ".markdown") == 0);
}

static recap_status
add_found(sync_run *s, const char *rel, const struct stat *st)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 512;
        found *f = realloc(s->files, cap * sizeof(*f));
        if (!f)
            return RECAP_ENOMEM;
        s->files = f;
        s->cap = cap;
    }
    if (!(s->files[s->n].path = util_strdup(rel)))
        return RECAP_ENOMEM;
    s->files[s->n].size = (int64_t)st->st_size;
    s->files[s->n].mtime_ns =
        (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
    s->n++;
    return RECAP_OK;
}

/* Walks the open folder `fd` (taken), whose path is `rel` ("" at the
 * root). */
static recap_status
walk_fd(sync_run *s, int fd, const char *rel, int depth)
{
    DIR *d = fdopendir(fd);
    struct dirent *de;
    struct stat st;
    recap_status rc = RECAP_OK;
    char *child;
    int cfd;

    if (!d) {
        close(fd);
        return index_fail(s->idx, RECAP_EIO, "cannot read folder %s", rel);
    }
    while (rc == RECAP_OK && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' ||
            (de->d_type == DT_REG && !is_markdown(de->d_name)))
            continue; /* hidden, or not markdown */
        if (de->d_type == DT_DIR)
            st.st_mode = S_IFDIR; /* links and unknown types: stat() */
        else if (fstatat(dirfd(d), de->d_name, &st, 0))
            continue; /* a dangling link */
        if (!S_ISDIR(st.st_mode) &&
            !(S_ISREG(st.st_mode) && is_markdown(de->d_name)))
            continue;
        child = *rel ? util_asprintf("%s/%s", rel, de->d_name)
                     : util_strdup(de->d_name);
        if (!child)
            rc = index_fail(s->idx, RECAP_ENOMEM, "out of memory");
        else if (S_ISREG(st.st_mode))
            rc = add_found(s, child, &st)
                     ? index_fail(s->idx, RECAP_ENOMEM, "out of memory")
                     : RECAP_OK;
        else if (depth >= SYNC_MAX_DEPTH ||
                 (cfd = openat(dirfd(d), de->d_name,
                               O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
            rc = index_fail(s->idx, RECAP_EIO, "cannot read folder %s", child);
        else
            rc = walk_fd(s, cfd, child, depth + 1);
        free(child);
    }
    closedir(d);
    return rc;
}

static int
cmp_found(const void *a, const void *b)
{
    return strcmp(((const found *)a)->path, ((const found *)b)->path);
}

/* Lists the files under the content root: `dir`/content when it exists,
 * else `dir`.  *root_out is that folder (malloc()ed). */
static recap_status
walk(sync_run *s, const char *dir, char **root_out)
{
    struct stat st;
    char *root = util_asprintf("%s/content", dir);
    size_t i;
    int fd;
    recap_status rc;

    if (!root)
        return index_fail(s->idx, RECAP_ENOMEM, "out of memory");
    if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        free(root);
        if (!(root = util_strdup(dir)))
            return index_fail(s->idx, RECAP_ENOMEM, "out of memory");
    }
    *root_out = root;
    if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode))
        return index_fail(s->idx, RECAP_ENOTFOUND, "no content folder at %s",
                          dir);
    if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return index_fail(s->idx, RECAP_EIO, "cannot read folder %s", root);
    if ((rc = walk_fd(s, fd, "", 0)))
        return rc;
    qsort(s->files, s->n, sizeof(*s->files), cmp_found);
    if (!(s->paths = malloc((s->n + 1) * sizeof(*s->paths))))
        return index_fail(s->idx, RECAP_ENOMEM, "out of memory");
    for (i = 0; i < s->n; i++)
        s->paths[i] = s->files[i].path;
    return RECAP_OK;
}

/* ---- updating ----------------------------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What to do with file i: 0 unchanged, 1 re-read. */
static int
changed(sync_run *s, size_t i)
{
    const char *relpath = s->files[i].path;
    json_t *old =
        s->idx->incr ? json_object_get(s->idx->incr->files, relpath) : NULL;
    int64_t size = s->files[i].size, mtime = s->files[i].mtime_ns;
    char hash[17];
    json_t *fresh;

    if (!old || (s->opts->flags & RECAP_SYNC_REREAD))
        return 1;
    if (json_integer_value(json_array_get(old, 0)) == size &&
        json_integer_value(json_array_get(old, 1)) == mtime)
        return 0;
    /* Touched: the content decides. */
    if (incr_hash_file(s->root, relpath, hash) != 0 ||
        strcmp(hash, json_string_value(json_array_get(old, 2))
                         ? json_string_value(json_array_get(old, 2))
                         : "") != 0)
        return 1;
    fresh = incr_make_stamp(size, mtime, hash);
    if (fresh) {
        /* Keep what the page includes. */
        json_array_set(fresh, 3, json_array_get(old, 3));
        json_object_set_new(s->idx->incr->files, relpath, fresh);
        s->dirty = 1;
    }
    return 0;
}

/* Whether a page includes (through a shortcode) a file that changed. */
static int
depends_on_changed(sync_run *s, const char *relpath, json_t *changed_set)
{
    json_t *old, *deps, *d;
    size_t i;

    if (!s->idx->incr || !json_object_size(changed_set))
        return 0;
    old = json_object_get(s->idx->incr->files, relpath);
    deps = json_array_get(old, 3);
    json_array_foreach(deps, i, d)
    {
        if (json_is_string(d) &&
            json_object_get(changed_set, json_string_value(d)))
            return 1;
    }
    return 0;
}

static int
fatal(recap_status rc)
{
    return rc == RECAP_ENOMEM || rc == RECAP_EBACKEND || rc == RECAP_ECORRUPT ||
           rc == RECAP_EINTERNAL || rc == RECAP_EINVAL;
}

/* Re-indexes one file and counts it. */
static recap_status
reindex(sync_run *s, const char *relpath, int had_stamp, int dependent,
        size_t done)
{
    recap_status rc = recap_index_add_file(s->idx, s->root, relpath);

    if (fatal(rc))
        return rc;
    if (rc == RECAP_OK && dependent)
        s->st->n_dependent++;
    else if (rc == RECAP_OK && had_stamp)
        s->st->n_updated++;
    else if (rc == RECAP_OK)
        s->st->n_added++;
    else if (rc == RECAP_ESKIPPED)
        s->st->n_skipped++;
    else
        s->st->n_failed++;
    if (s->opts->on_file)
        s->opts->on_file(s->opts->ctx, relpath, rc, done, s->n);
    return RECAP_OK;
}

/* Adds the stamped files that no longer exist to the changed set: pages
 * that included them change too. */
static void
mark_gone(sync_run *s, json_t *changed_set)
{
    const char *path;
    json_t *v;

    if (!s->idx->incr)
        return;
    json_object_foreach(s->idx->incr->files, path, v)
    {
        if (!bsearch(&path, s->paths, s->n, sizeof(char *), cmp_str))
            json_object_set_new(changed_set, path, json_true());
    }
}

/* Marks (3) the unchanged pages that include a changed file, and those
 * that include them, up to the include depth Hugo allows. */
static void
mark_dependents(sync_run *s, char *todo, json_t *changed_set)
{
    int grew = 1, round;
    size_t i;

    for (round = 0; grew && round < 8; round++) {
        grew = 0;
        for (i = 0; i < s->n; i++) {
            if (todo[i] || !depends_on_changed(s, s->paths[i], changed_set))
                continue;
            todo[i] = 3;
            s->st->n_unchanged--;
            json_object_set_new(changed_set, s->paths[i], json_true());
            grew = 1;
        }
    }
}

/* The changed files, then the unchanged pages that include one of them,
 * re-indexed in path order. */
static recap_status
update_files(sync_run *s)
{
    json_t *changed_set = json_object();
    char *todo;
    size_t i;
    recap_status rc = RECAP_OK;

    todo = calloc(s->n + 1, 1);
    if (!changed_set || !todo) {
        json_decref(changed_set);
        free(todo);
        return index_fail(s->idx, RECAP_ENOMEM, "out of memory");
    }
    for (i = 0; i < s->n; i++) {
        int had = s->idx->incr &&
                  json_object_get(s->idx->incr->files, s->paths[i]) != NULL;
        if (!changed(s, i)) {
            s->st->n_unchanged++;
            continue;
        }
        json_object_set_new(changed_set, s->paths[i], json_true());
        todo[i] = had ? 2 : 1;
    }
    mark_gone(s, changed_set);
    mark_dependents(s, todo, changed_set);
    for (i = 0; rc == RECAP_OK && i < s->n; i++)
        if (todo[i])
            rc = reindex(s, s->paths[i], todo[i] >= 2, todo[i] == 3, i + 1);
    json_decref(changed_set);
    free(todo);
    return rc;
}

/* Deletes the documents whose path is not among the files. */
static recap_status
remove_gone(sync_run *s)
{
    xap_termiter *it = NULL;
    const char *t;
    size_t len, n_gone = 0, i;
    char **gone = NULL, *key, **p;
    xap_error err;
    int more;
    recap_status rc = RECAP_OK;

    if (xap_db_allterms(s->idx->db, SCHEMA_PREFIX_PATH, 1, &it, &err))
        return index_fail_xap(s->idx, &err, "listing documents");
    while ((more = xap_termiter_next(it, &t, &len, NULL, &err)) == 1) {
        if (!(key = util_strndup(t + 1, len - 1))) {
            rc = index_fail(s->idx, RECAP_ENOMEM, "out of memory");
            break;
        }
        if (bsearch(&key, s->paths, s->n, sizeof(char *), cmp_str) ||
            !(p = realloc(gone, (n_gone + 1) * sizeof(*p)))) {
            free(key);
            continue;
        }
        gone = p;
        gone[n_gone++] = key;
    }
    if (more < 0 && rc == RECAP_OK)
        rc = index_fail_xap(s->idx, &err, "listing documents");
    xap_termiter_free(it);
    for (i = 0; i < n_gone; i++) {
        if (rc == RECAP_OK) {
            rc = recap_index_delete(s->idx, gone[i]);
            s->st->n_removed += rc == RECAP_OK;
            rc = rc == RECAP_ENOTFOUND ? RECAP_OK : rc;
        }
        free(gone[i]);
    }
    free(gone);
    return rc;
}

recap_status
recap_index_sync(recap_index *idx, const char *content_dir,
                 const recap_sync_options *opts, recap_sync_stats *stats)
{
    recap_sync_options dflt = RECAP_SYNC_OPTIONS_INIT;
    recap_sync_stats local;
    char *root = NULL;
    size_t i;
    double t0 = util_now();
    sync_run s;
    recap_status rc;

    if (!idx)
        return RECAP_EINVAL;
    if (!content_dir || (opts && opts->version != RECAP_SYNC_OPTIONS_VERSION))
        return index_fail(idx, RECAP_EINVAL, "invalid sync options");
    memset(&s, 0, sizeof(s));
    memset(&local, 0, sizeof(local));
    s.idx = idx;
    s.opts = opts ? opts : &dflt;
    s.st = stats ? stats : &local;
    memset(s.st, 0, sizeof(*s.st));
    if (idx->mode == RECAP_OPEN_READ)
        return index_fail(idx, RECAP_EINVAL, "the index is open read-only");
    if (idx->in_batch)
        return index_fail(idx, RECAP_EINVAL, "a batch is already open");
    rc = walk(&s, content_dir, &root);
    s.root = root;
    s.st->n_files = s.n;
    if (rc == RECAP_OK &&
        (rc = recap_index_begin(idx, RECAP_BEGIN_UPDATE)) == RECAP_OK) {
        rc = update_files(&s);
        if (rc == RECAP_OK)
            rc = remove_gone(&s);
        if (rc == RECAP_OK && s.opts->synonyms &&
            (rc = recap_index_load_synonyms(idx, s.opts->synonyms)) == RECAP_OK)
            s.dirty = 1;
        /* Nothing changed: no commit, no write. */
        if (rc == RECAP_OK &&
            (s.dirty || s.st->n_unchanged != s.st->n_files || s.st->n_removed))
            rc = recap_index_commit(idx);
        else
            recap_index_cancel(idx);
    }
    for (i = 0; i < s.n; i++)
        free(s.files[i].path);
    free(s.files);
    free(s.paths);
    free(root);
    s.st->seconds = util_now() - t0;
    return rc;
}
