/*
 * xap.cc: the C wrapper over xapian-core 1.4 declared in xap.h.
 *
 * Every extern "C" function is noexcept and ends in `catch (...)`, which
 * hands the exception to fail(): fail() rethrows it, maps its type to a
 * recap_status and copies a one-line message into the caller's xap_error.
 * Nothing here decides policy; each function is one or two Xapian calls.
 *
 * Handles are plain structs owning Xapian objects by value.  Xapian's own
 * objects (Database, Query, Enquire, MSet, Document) are reference-counted
 * handles, so copying one into another handle is cheap and keeps the shared
 * internals alive for as long as that handle lives.
 */
#include "xap.h"

#include <xapian.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <new>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <sys/stat.h>

struct xap_db {
    /* Exactly one of the two is open; `writable` says which. */
    Xapian::Database rdb;
    Xapian::WritableDatabase wdb;
    bool writable = false;
    std::string path;
    unsigned missing = 0; /* shards of a stub that could not be reached */
    bool remote = false;  /* opened shard by shard: a stub of remotes */

    Xapian::Database &
    get()
    {
        return writable ? wdb : rdb;
    }
};

struct xap_doc {
    Xapian::Document doc;
};

struct xap_query {
    Xapian::Query q;
};

struct xap_enquire {
    Xapian::Database db; /* a reference-counted copy: keeps it alive */
    Xapian::Enquire enq;
    std::string path; /* for error messages */
    explicit xap_enquire(const xap_db &d)
        : db(d.writable ? d.wdb : d.rdb), enq(db), path(d.path)
    {
    }
};

struct xap_mset {
    Xapian::MSet mset;
};

/*
 * A term iterator is either lazy (a Xapian TermIterator range over a
 * database, used for allterms and termlists, which can be long) or a list
 * collected up front (synonyms, matching terms, eset).  `cur` owns the bytes
 * of the term last handed out, so the borrowed pointer stays valid until the
 * next call.
 */
enum class freq_kind { none, termfreq, wdf };

struct xap_termiter {
    Xapian::Database db; /* keeps the database internals alive */
    Xapian::TermIterator it, end;
    bool lazy = false;
    bool started = false;
    freq_kind kind = freq_kind::none;
    std::vector<std::string> list;
    size_t next_i = 0;
    std::string cur;
};

/* ---- errors ------------------------------------------------------------- */

static recap_status set_err(xap_error *err, recap_status rc, const char *fmt,
                            ...) __attribute__((format(printf, 3, 4)));

static recap_status
set_err(xap_error *err, recap_status rc, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->rc = rc;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return rc;
}

static int
path_missing(const char *path)
{
    struct stat st;
    return path && stat(path, &st) != 0 && errno == ENOENT;
}

/* "Type: message (context)" of a Xapian error, without allocating. */
static recap_status
set_xapian_err(xap_error *err, recap_status rc, const char *what,
               const Xapian::Error &e)
{
    const char *ctx = e.get_context().c_str();
    return set_err(err, rc, "%s%s%s: %s%s%s%s", what, *what ? ": " : "",
                   e.get_type(), e.get_msg().c_str(), *ctx ? " (" : "", ctx,
                   *ctx ? ")" : "");
}

/*
 * Maps the exception being handled to a status.  Must be called from inside
 * a catch block.  `path` (may be NULL) is the database path, named in the
 * messages about the database.  Nothing here allocates, so it cannot throw.
 */
static recap_status
fail(xap_error *err, const char *path = nullptr) noexcept
{
    const char *at = path ? " at " : "", *p = path ? path : "";
    try {
        throw;
    } catch (const Xapian::DatabaseLockError &e) {
        return set_err(err, RECAP_ELOCKED,
                       "index%s%s is locked: another recapsearch-index may "
                       "be running (%s)",
                       at, p, e.get_msg().c_str());
    } catch (const Xapian::DatabaseVersionError &e) {
        return set_err(err, RECAP_ECORRUPT,
                       "index%s%s has an unsupported format: %s", at, p,
                       e.get_msg().c_str());
    } catch (const Xapian::DatabaseNotFoundError &e) {
        return set_err(err, RECAP_ENOTFOUND, "no index%s%s (%s)", at, p,
                       e.get_msg().c_str());
    } catch (const Xapian::DatabaseOpeningError &e) {
        /* Xapian may report a missing path as a plain opening error. */
        if (path_missing(path))
            return set_err(err, RECAP_ENOTFOUND, "no index%s%s (%s)", at, p,
                           e.get_msg().c_str());
        return set_err(err, RECAP_EIO, "cannot open index%s%s (%s)", at, p,
                       e.get_msg().c_str());
    } catch (const Xapian::DatabaseCreateError &e) {
        return set_err(err, RECAP_EIO, "cannot create index%s%s (%s)", at, p,
                       e.get_msg().c_str());
    } catch (const Xapian::DatabaseCorruptError &e) {
        return set_err(err, RECAP_ECORRUPT, "index%s%s is damaged: %s", at, p,
                       e.get_msg().c_str());
    } catch (const Xapian::DatabaseModifiedError &e) {
        return set_err(err, RECAP_EMODIFIED,
                       "index%s%s changed while reading; reopen and retry "
                       "(%s)",
                       at, p, e.get_msg().c_str());
    } catch (const Xapian::DocNotFoundError &e) {
        return set_err(err, RECAP_ENOTFOUND, "%s", e.get_msg().c_str());
    } catch (const Xapian::WildcardError &e) {
        /* e.g. "Wildcard pref* expands to more than 2 terms" */
        return set_err(err, RECAP_EQUERY,
                       "wildcard matches too many terms; use a longer "
                       "prefix (%s)",
                       e.get_msg().c_str());
    } catch (const Xapian::QueryParserError &e) {
        return set_err(err, RECAP_EQUERY, "%s", e.get_msg().c_str());
    } catch (const Xapian::InvalidArgumentError &e) {
        return set_err(err, RECAP_EINVAL, "%s", e.get_msg().c_str());
    } catch (const Xapian::Error &e) {
        return set_xapian_err(err, RECAP_EBACKEND, "", e);
    } catch (const std::bad_alloc &) {
        return set_err(err, RECAP_ENOMEM, "out of memory");
    } catch (const std::exception &e) {
        return set_err(err, RECAP_EINTERNAL, "unexpected exception: %s",
                       e.what());
    } catch (...) {
        return set_err(err, RECAP_EINTERNAL, "unexpected exception");
    }
}

static recap_status
misuse(xap_error *err, const char *what)
{
    return set_err(err, RECAP_EINVAL, "invalid argument to %s", what);
}

/* Writable database of `db`, or NULL (with RECAP_EINVAL set) for a reader. */
static Xapian::WritableDatabase *
writable(xap_db *db, xap_error *err, const char *what)
{
    if (!db)
        misuse(err, what);
    else if (!db->writable)
        set_err(err, RECAP_EINVAL, "%s: the index is open read-only", what);
    else
        return &db->wdb;
    return nullptr;
}

/* (pointer, length) to std::string; NULL is the empty string. */
static std::string
str(const char *s, size_t len)
{
    return s ? std::string(s, len) : std::string();
}

/* A malloc()ed NUL-terminated copy; throws std::bad_alloc on failure. */
static char *
dup_out(const std::string &s, size_t *len_out)
{
    char *p = static_cast<char *>(malloc(s.size() + 1));
    if (!p)
        throw std::bad_alloc();
    memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    if (len_out)
        *len_out = s.size();
    return p;
}

/* ---- databases ---------------------------------------------------------- */

/* ---- stubs with remote shards ------------------------------------------- */

/* The stub file of `path` (itself, or its XAPIANDB), or "" if none. */
static std::string
stub_file(const std::string &path)
{
    struct stat st;
    if (stat(path.c_str(), &st) != 0)
        return "";
    if (S_ISREG(st.st_mode))
        return path;
    std::string s = path + "/XAPIANDB", glass = path + "/iamglass";
    if (stat(glass.c_str(), &st) == 0 || stat(s.c_str(), &st) != 0)
        return "";
    return s;
}

/* Milliseconds to wait for a remote shard ($RECAPSEARCH_REMOTE_TIMEOUT_MS,
 * default 2000) before going on without it. */
static unsigned
remote_timeout_ms()
{
    const char *v = getenv("RECAPSEARCH_REMOTE_TIMEOUT_MS");
    long n = v ? strtol(v, nullptr, 10) : 0;
    return n > 0 && n < 3600000 ? (unsigned)n : 2000;
}

/*
 * Opens a stub that lists remote shards ("remote HOST:PORT" lines) one
 * shard at a time, so that an unreachable shard is left out (counted in
 * *missing) instead of failing the whole index: the results then come from
 * the others.  Other lines (auto, glass, chert, a path) are opened as
 * Xapian would, relative to the stub.  Returns false when the stub has no
 * remote line (the caller opens it the usual way); throws when no shard
 * can be opened.
 */
static bool
open_remote_stub(const std::string &path, Xapian::Database &db,
                 unsigned &missing)
{
    std::string file = stub_file(path);
    if (file.empty())
        return false;
    FILE *f = fopen(file.c_str(), "r");
    if (!f)
        return false;
    std::vector<std::string> lines;
    char buf[4096];
    bool remote = false;
    while (fgets(buf, sizeof buf, f)) {
        std::string l(buf);
        while (!l.empty() && (l.back() == '\n' || l.back() == '\r'))
            l.pop_back();
        if (l.empty() || l[0] == '#')
            continue;
        remote = remote || l.compare(0, 7, "remote ") == 0;
        lines.push_back(l);
    }
    fclose(f);
    if (!remote)
        return false;
    std::string dir = file.substr(0, file.rfind('/') + 1);
    unsigned timeout = remote_timeout_ms(), opened = 0;
    std::string first_error;
    missing = 0;
    for (const std::string &l : lines) {
        size_t sp = l.find(' ');
        std::string kind = l.substr(0, sp),
                    arg = sp == l.npos ? "" : l.substr(sp + 1);
        try {
            if (kind == "remote" && !arg.empty() && arg[0] != ':') {
                size_t colon = arg.rfind(':');
                unsigned port =
                    (unsigned)strtoul(arg.c_str() + colon + 1, nullptr, 10);
                db.add_database(Xapian::Remote::open(arg.substr(0, colon), port,
                                                     timeout, timeout));
            } else {
                /* Local shards, and programs over pipes, as Xapian does. */
                std::string p = arg.empty() ? kind : arg;
                if (kind == "remote") {
                    size_t s2 = arg.find(' ', 1);
                    db.add_database(Xapian::Remote::open(
                        arg.substr(1, s2 - 1),
                        s2 == arg.npos ? "" : arg.substr(s2 + 1), timeout));
                } else {
                    db.add_database(
                        Xapian::Database(p[0] == '/' ? p : dir + p));
                }
            }
            opened++;
        } catch (const Xapian::NetworkError &e) {
            missing++;
            if (first_error.empty())
                first_error = e.get_description();
        }
    }
    if (!opened)
        throw Xapian::NetworkError("no shard of " + path +
                                   " can be reached: " + first_error);
    return true;
}

extern "C" unsigned
xap_db_missing_shards(const xap_db *db) noexcept
{
    return db ? db->missing : 0;
}

extern "C" int
xap_db_has_remote_shards(const xap_db *db) noexcept
{
    return db && db->remote;
}

/* Whether XAPIAN_FLUSH_THRESHOLD is ours to set: -1 not known yet, 0 the
 * user's environment set it, 1 unset or set by us. */
static int flush_ours = -1;

static void
flush_threshold_set(size_t docs, int overwrite)
{
    char buf[24];

    if (flush_ours < 0)
        flush_ours = getenv("XAPIAN_FLUSH_THRESHOLD") == nullptr;
    if (!flush_ours)
        return;
    snprintf(buf, sizeof(buf), "%d",
             docs >= XAP_FLUSH_LARGE_DOCS ? XAP_FLUSH_THRESHOLD_LARGE
                                          : XAP_FLUSH_THRESHOLD);
    setenv("XAPIAN_FLUSH_THRESHOLD", buf, overwrite);
}

extern "C" void
xap_flush_threshold_for(size_t docs) XAP_NOEXCEPT
{
    flush_threshold_set(docs, 1);
}

extern "C" recap_status
xap_db_open(const char *path, xap_open_mode mode, xap_db **out,
            xap_error *err) noexcept
{
    if (!path || !out)
        return misuse(err, "xap_db_open");
    *out = nullptr;
    xap_db *db = nullptr;
    try {
        db = new xap_db;
        db->path = path;
        if (mode == XAP_DB_READONLY) {
            db->remote = open_remote_stub(path, db->rdb, db->missing);
            if (!db->remote)
                db->rdb = Xapian::Database(path);
        } else {
            int flags = mode == XAP_DB_CREATE_OR_OPEN
                            ? Xapian::DB_CREATE_OR_OPEN
                        : mode == XAP_DB_CREATE_OR_OVERWRITE
                            ? Xapian::DB_CREATE_OR_OVERWRITE
                            : Xapian::DB_OPEN;
            /* Xapian 1.4 buffers postings in balanced trees until it
             * flushes every XAPIAN_FLUSH_THRESHOLD documents (default
             * 10000; inside a transaction too, without committing).  Deep
             * trees cost cache misses on every posting: small batches build
             * an index about 1.6x faster and with less memory.  Xapian reads
             * the variable when the database opens; a value the user set
             * wins. */
            flush_threshold_set(0, 0); /* small batches, unless set */
            db->wdb = Xapian::WritableDatabase(path, flags);
            db->writable = true;
        }
        *out = db;
        return RECAP_OK;
    } catch (...) {
        delete db;
        return fail(err, path);
    }
}

extern "C" void
xap_db_free(xap_db *db) noexcept
{
    if (!db)
        return;
    try {
        /* close() commits pending changes (cancels an open transaction) and
         * releases the lock now, even if iterators still hold copies. */
        db->get().close();
    } catch (...) {
    }
    delete db;
}

extern "C" recap_status
xap_db_reopen(xap_db *db, int *changed, xap_error *err) noexcept
{
    if (!db)
        return misuse(err, "xap_db_reopen");
    try {
        bool c = db->get().reopen();
        if (changed)
            *changed = c ? 1 : 0;
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_db_doccount(xap_db *db, uint32_t *out, xap_error *err) noexcept
{
    if (!db || !out)
        return misuse(err, "xap_db_doccount");
    try {
        *out = db->get().get_doccount();
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_db_revision(xap_db *db, uint64_t *out, xap_error *err) noexcept
{
    if (!db || !out)
        return misuse(err, "xap_db_revision");
    try {
        *out = db->get().get_revision();
        return RECAP_OK;
    } catch (const Xapian::InvalidOperationError &) {
        /* Several shards: each has its own revision, none is the whole's. */
        *out = 0;
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_db_avlength(xap_db *db, double *out, xap_error *err) noexcept
{
    if (!db || !out)
        return misuse(err, "xap_db_avlength");
    try {
        *out = db->get().get_avlength();
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_db_termfreq(xap_db *db, const char *term, size_t len, uint32_t *out,
                xap_error *err) noexcept
{
    if (!db || !out)
        return misuse(err, "xap_db_termfreq");
    try {
        *out = db->get().get_termfreq(str(term, len));
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_db_collfreq(xap_db *db, const char *term, size_t len, uint64_t *out,
                xap_error *err) noexcept
{
    if (!db || !out)
        return misuse(err, "xap_db_collfreq");
    try {
        *out = db->get().get_collection_freq(str(term, len));
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_db_begin(xap_db *db, int flushed, xap_error *err) noexcept
{
    Xapian::WritableDatabase *w = writable(db, err, "xap_db_begin");
    if (!w)
        return RECAP_EINVAL;
    try {
        w->begin_transaction(flushed != 0);
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_db_end(xap_db *db, int commit, xap_error *err) noexcept
{
    Xapian::WritableDatabase *w = writable(db, err, "xap_db_end");
    if (!w)
        return RECAP_EINVAL;
    try {
        if (commit)
            w->commit_transaction();
        else
            w->cancel_transaction();
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_db_commit(xap_db *db, xap_error *err) noexcept
{
    Xapian::WritableDatabase *w = writable(db, err, "xap_db_commit");
    if (!w)
        return RECAP_EINVAL;
    try {
        w->commit();
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_db_replace(xap_db *db, const char *uterm, size_t uterm_len,
               const xap_doc *doc, xap_docid *docid_out,
               xap_error *err) noexcept
{
    Xapian::WritableDatabase *w = writable(db, err, "xap_db_replace");
    if (!w)
        return RECAP_EINVAL;
    if (!uterm || uterm_len == 0 || !doc)
        return misuse(err, "xap_db_replace");
    try {
        Xapian::docid did =
            w->replace_document(str(uterm, uterm_len), doc->doc);
        if (docid_out)
            *docid_out = did;
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_db_add(xap_db *db, const xap_doc *doc, xap_docid *docid_out,
           xap_error *err) noexcept
{
    Xapian::WritableDatabase *w = writable(db, err, "xap_db_add");
    if (!w)
        return RECAP_EINVAL;
    if (!doc)
        return misuse(err, "xap_db_add");
    try {
        Xapian::docid did = w->add_document(doc->doc);
        if (docid_out)
            *docid_out = did;
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_db_find(xap_db *db, const char *uterm, size_t uterm_len, xap_docid *out,
            xap_error *err) noexcept
{
    if (!db || !uterm || !out)
        return misuse(err, "xap_db_find");
    try {
        Xapian::Database &d = db->get();
        Xapian::PostingIterator it = d.postlist_begin(str(uterm, uterm_len));
        *out = it == d.postlist_end(str(uterm, uterm_len)) ? 0 : *it;
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_compact(const char *const *srcs, size_t n, const char *dest,
            xap_error *err) noexcept
{
    if (!srcs || !n || !dest)
        return misuse(err, "xap_compact");
    try {
        Xapian::Database all;
        for (size_t i = 0; i < n; i++)
            all.add_database(Xapian::Database(srcs[i]));
        /* Documents are renumbered in the order of the sources. */
        all.compact(dest);
        return RECAP_OK;
    } catch (...) {
        return fail(err, dest);
    }
}

extern "C" recap_status
xap_db_delete(xap_db *db, const char *uterm, size_t uterm_len,
              xap_error *err) noexcept
{
    Xapian::WritableDatabase *w = writable(db, err, "xap_db_delete");
    if (!w)
        return RECAP_EINVAL;
    if (!uterm || uterm_len == 0)
        return misuse(err, "xap_db_delete");
    try {
        w->delete_document(str(uterm, uterm_len));
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_db_get_doc(xap_db *db, xap_docid did, xap_doc **out,
               xap_error *err) noexcept
{
    if (!db || !out || did == 0)
        return misuse(err, "xap_db_get_doc");
    *out = nullptr;
    try {
        Xapian::Document d = db->get().get_document(did);
        *out = new xap_doc{d};
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_db_get_metadata(xap_db *db, const char *key, char **out, size_t *len_out,
                    xap_error *err) noexcept
{
    if (!db || !key || !*key || !out)
        return misuse(err, "xap_db_get_metadata");
    *out = nullptr;
    try {
        *out = dup_out(db->get().get_metadata(key), len_out);
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_db_set_metadata(xap_db *db, const char *key, const char *value, size_t len,
                    xap_error *err) noexcept
{
    Xapian::WritableDatabase *w = writable(db, err, "xap_db_set_metadata");
    if (!w)
        return RECAP_EINVAL;
    if (!key || !*key)
        return misuse(err, "xap_db_set_metadata");
    try {
        w->set_metadata(key, str(value, len));
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_db_add_spelling(xap_db *db, const char *word, size_t len, uint32_t freqinc,
                    xap_error *err) noexcept
{
    Xapian::WritableDatabase *w = writable(db, err, "xap_db_add_spelling");
    if (!w)
        return RECAP_EINVAL;
    try {
        w->add_spelling(str(word, len), freqinc);
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_db_spell(xap_db *db, const char *word, size_t len, unsigned max_edit,
             char **out, xap_error *err) noexcept
{
    if (!db || !out)
        return misuse(err, "xap_db_spell");
    *out = nullptr;
    try {
        std::string s =
            db->get().get_spelling_suggestion(str(word, len), max_edit);
        *out = dup_out(s, nullptr);
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_db_add_synonym(xap_db *db, const char *term, size_t len,
                   const char *synonym, size_t syn_len, xap_error *err) noexcept
{
    Xapian::WritableDatabase *w = writable(db, err, "xap_db_add_synonym");
    if (!w)
        return RECAP_EINVAL;
    try {
        w->add_synonym(str(term, len), str(synonym, syn_len));
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_db_clear_synonyms(xap_db *db, const char *term, size_t len,
                      xap_error *err) noexcept
{
    Xapian::WritableDatabase *w = writable(db, err, "xap_db_clear_synonyms");
    if (!w)
        return RECAP_EINVAL;
    try {
        w->clear_synonyms(str(term, len));
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

/*
 * The first problem in Xapian's check report, as "table: problem".  Even
 * with opts 0 the report has a header and a verdict per table; skip those.
 */
static std::string
first_problem(const std::string &report)
{
    std::istringstream lines(report);
    std::string line, table;
    while (std::getline(lines, line)) {
        if (line.empty())
            continue;
        if (line.back() == ':' && line.find(' ') == std::string::npos) {
            table = line.substr(0, line.size() - 1);
            continue;
        }
        if (line.compare(0, 10, "blocksize=") == 0 ||
            line.find("checked okay") != std::string::npos ||
            line.find("checked OK") != std::string::npos ||
            line.find("Lazily created") != std::string::npos ||
            line.find("errors found") != std::string::npos)
            continue;
        return table.empty() ? line : table + ": " + line;
    }
    return "see xapian-check";
}

/* The local databases behind `path`: itself, or what its stub lists,
 * recursively (remote shards are checked where they are served). */
static void
local_databases(const std::string &path, std::vector<std::string> &out,
                int depth = 0)
{
    std::string file = stub_file(path);
    if (file.empty() || depth > 8) {
        out.push_back(path);
        return;
    }
    FILE *f = fopen(file.c_str(), "r");
    if (!f) {
        out.push_back(path);
        return;
    }
    std::string dir = file.substr(0, file.rfind('/') + 1);
    char buf[4096];
    while (fgets(buf, sizeof buf, f)) {
        std::string l(buf);
        while (!l.empty() && (l.back() == '\n' || l.back() == '\r'))
            l.pop_back();
        size_t sp = l.find(' ');
        if (l.empty() || l[0] == '#' || sp == l.npos ||
            l.compare(0, 7, "remote ") == 0)
            continue;
        std::string p = l.substr(sp + 1);
        local_databases(p[0] == '/' ? p : dir + p, out, depth + 1);
    }
    fclose(f);
}

extern "C" recap_status
xap_db_check(const char *path, xap_error *err) noexcept
{
    if (!path)
        return misuse(err, "xap_db_check");
    std::string current = path;
    try {
        std::vector<std::string> dbs;
        local_databases(path, dbs);
        for (const std::string &db : dbs) {
            current = db;
            std::ostringstream report;
            size_t n_errors = Xapian::Database::check(db, 0, &report);
            if (n_errors == 0)
                continue;
            std::string first = first_problem(report.str());
            return set_err(err, RECAP_ECORRUPT,
                           "index at %s is damaged: %zu error(s), first: %s",
                           db.c_str(), n_errors, first.c_str());
        }
        return RECAP_OK;
    } catch (const Xapian::DatabaseOpeningError &) {
        return fail(err,
                    current.c_str()); /* missing or unreadable, not damaged */
    } catch (const Xapian::DatabaseLockError &) {
        return fail(err, current.c_str());
    } catch (const Xapian::DatabaseError &e) {
        /* The checker throws a plain DatabaseError for a bad B-tree. */
        return set_err(err, RECAP_ECORRUPT, "index at %s is damaged: %s",
                       current.c_str(), e.get_msg().c_str());
    } catch (...) {
        return fail(err, current.c_str());
    }
}

/* ---- term iteration ----------------------------------------------------- */

static xap_termiter *
lazy_iter(const Xapian::Database &db, Xapian::TermIterator b,
          Xapian::TermIterator e, freq_kind kind)
{
    xap_termiter *it = new xap_termiter;
    it->db = db;
    it->it = b;
    it->end = e;
    it->lazy = true;
    it->kind = kind;
    return it;
}

/* Collects [b, e) into a list iterator. */
static xap_termiter *
list_iter(Xapian::TermIterator b, Xapian::TermIterator e)
{
    xap_termiter *it = new xap_termiter;
    try {
        for (; b != e; ++b)
            it->list.push_back(*b);
    } catch (...) {
        delete it;
        throw;
    }
    return it;
}

extern "C" recap_status
xap_db_allterms(xap_db *db, const char *prefix, size_t len, xap_termiter **out,
                xap_error *err) noexcept
{
    if (!db || !out)
        return misuse(err, "xap_db_allterms");
    *out = nullptr;
    try {
        Xapian::Database &d = db->get();
        std::string p = str(prefix, len);
        *out = lazy_iter(d, d.allterms_begin(p), d.allterms_end(p),
                         freq_kind::termfreq);
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_db_synonyms(xap_db *db, const char *term, size_t len, xap_termiter **out,
                xap_error *err) noexcept
{
    if (!db || !out)
        return misuse(err, "xap_db_synonyms");
    *out = nullptr;
    try {
        Xapian::Database &d = db->get();
        std::string t = str(term, len);
        *out = list_iter(d.synonyms_begin(t), d.synonyms_end(t));
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_db_termlist(xap_db *db, xap_docid did, xap_termiter **out,
                xap_error *err) noexcept
{
    if (!db || !out || did == 0)
        return misuse(err, "xap_db_termlist");
    *out = nullptr;
    try {
        Xapian::Database &d = db->get();
        *out = lazy_iter(d, d.termlist_begin(did), d.termlist_end(did),
                         freq_kind::wdf);
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" int
xap_termiter_next(xap_termiter *it, const char **term, size_t *len,
                  uint32_t *freq, xap_error *err) noexcept
{
    if (!it) {
        misuse(err, "xap_termiter_next");
        return -1;
    }
    try {
        uint32_t f = 0;
        if (it->lazy) {
            if (it->started && it->it != it->end)
                ++it->it;
            it->started = true;
            if (it->it == it->end)
                return 0;
            it->cur = *it->it;
            if (it->kind == freq_kind::termfreq)
                f = it->it.get_termfreq();
            else if (it->kind == freq_kind::wdf)
                f = it->it.get_wdf();
        } else {
            if (it->next_i >= it->list.size())
                return 0;
            it->cur = std::move(it->list[it->next_i++]);
        }
        if (term)
            *term = it->cur.c_str();
        if (len)
            *len = it->cur.size();
        if (freq)
            *freq = f;
        return 1;
    } catch (...) {
        fail(err);
        return -1;
    }
}

extern "C" void
xap_termiter_free(xap_termiter *it) noexcept
{
    delete it;
}

extern "C" recap_status
xap_db_positions(xap_db *db, xap_docid did, const char *term, size_t len,
                 xap_termpos **out, size_t *n_out, xap_error *err) noexcept
{
    if (!db || !out || !n_out || did == 0)
        return misuse(err, "xap_db_positions");
    *out = nullptr;
    *n_out = 0;
    try {
        Xapian::Database &d = db->get();
        std::string t = str(term, len);
        std::vector<xap_termpos> v;
        for (auto p = d.positionlist_begin(did, t);
             p != d.positionlist_end(did, t); ++p)
            v.push_back(*p);
        if (v.empty())
            return RECAP_OK;
        xap_termpos *a =
            static_cast<xap_termpos *>(malloc(v.size() * sizeof *a));
        if (!a)
            throw std::bad_alloc();
        memcpy(a, v.data(), v.size() * sizeof *a);
        *out = a;
        *n_out = v.size();
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

/* Whether the terms stand in `did` side by side in this order (positions
 * p, p + 1, ...), as Xapian's PHRASE matches them. */
static bool
has_phrase(Xapian::Database &d, Xapian::docid did,
           const std::vector<std::string> &terms)
{
    std::vector<Xapian::PositionIterator> it;
    const Xapian::PositionIterator end;
    size_t n = terms.size();

    it.reserve(n);
    for (size_t i = 0; i < n; i++) {
        it.push_back(d.positionlist_begin(did, terms[i]));
        if (it.back() == end)
            return false;
    }
    /* The first word at p, each next one at p + i: move the lists to where
     * the phrase would have to start until they all agree. */
    Xapian::termpos p = *it[0];
    for (size_t i = 1; i < n;) {
        it[i].skip_to(p + (Xapian::termpos)i);
        if (it[i] == end)
            return false;
        if (*it[i] == p + i) {
            i++;
            continue;
        }
        /* Word i is first seen later: the phrase starts at its position
         * minus i at the earliest, where the first word says. */
        it[0].skip_to(*it[i] - (Xapian::termpos)i);
        if (it[0] == end)
            return false;
        p = *it[0];
        i = 1;
    }
    return true;
}

extern "C" recap_status
xap_db_sortable_values(xap_db *db, xap_slot slot, const xap_docid *dids,
                       size_t n, double *out, xap_error *err) noexcept
{
    if (!db || (n && (!dids || !out)))
        return misuse(err, "xap_db_sortable_values");
    try {
        Xapian::Database &d = db->get();
        std::vector<size_t> idx(n);
        for (size_t j = 0; j < n; j++) {
            idx[j] = j;
            out[j] = 0;
        }
        try {
            /* A value stream is read forwards: the documents by docid. */
            std::sort(idx.begin(), idx.end(),
                      [dids](size_t a, size_t b) { return dids[a] < dids[b]; });
            Xapian::ValueIterator v = d.valuestream_begin(slot);
            const Xapian::ValueIterator end = d.valuestream_end(slot);
            for (size_t k = 0; k < n && v != end; k++) {
                v.skip_to(dids[idx[k]]);
                if (v != end && v.get_docid() == dids[idx[k]])
                    out[idx[k]] = Xapian::sortable_unserialise(*v);
            }
        } catch (const Xapian::UnimplementedError &) {
            /* A remote shard has no value streams: ask each document. */
            for (size_t j = 0; j < n; j++) {
                std::string v = d.get_document(dids[j]).get_value(slot);
                out[j] = v.empty() ? 0 : Xapian::sortable_unserialise(v);
            }
        }
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_db_phrase_bonus(xap_db *db, const xap_docid *dids, size_t n_docs,
                    const char *const *terms, const size_t *lens, size_t n,
                    const xap_weighting *w, double factor, double *out,
                    xap_error *err) noexcept
{
    if (!db || (n_docs && (!dids || !out)) || (n && (!terms || !lens)) || !w ||
        w->scheme != XAP_SCHEME_BM25)
        return misuse(err, "xap_db_phrase_bonus");
    for (size_t j = 0; j < n_docs; j++)
        out[j] = 0;
    if (n == 0 || n_docs == 0)
        return RECAP_OK;
    try {
        Xapian::Database &d = db->get();
        std::vector<std::string> t;
        std::vector<size_t> found;
        double size = d.get_doccount(), avlen = d.get_avlength();

        for (size_t i = 0; i < n; i++)
            t.push_back(str(terms[i], lens[i]));
        for (size_t j = 0; j < n_docs; j++)
            if (dids[j] && has_phrase(d, dids[j], t))
                found.push_back(j);
        if (found.empty())
            return RECAP_OK;
        /* Posting lists are read forwards: the documents by docid. */
        std::sort(found.begin(), found.end(),
                  [dids](size_t a, size_t b) { return dids[a] < dids[b]; });
        std::vector<double> normlen(found.size());
        for (size_t k = 0; k < found.size(); k++) {
            double len = d.get_doclength(dids[found[k]]);
            normlen[k] =
                std::max(avlen > 0 ? len / avlen : 0.0, w->min_normlen);
        }
        /* Xapian's BM25 with k2 0, k3 1 and a query frequency of 1: the
         * term weight log(idf) (raised where a term is in more than a
         * third of the documents) times (k1 + 1), times
         * wdf / (k1 (b normlen + 1 - b) + wdf). */
        for (size_t i = 0; i < n; i++) {
            double tf = d.get_termfreq(t[i]);
            double tw = (size - tf + 0.5) / (tf + 0.5);
            if (tw < 2)
                tw = tw * 0.5 + 1;
            double termweight = std::log(tw) * factor * (w->k1 + 1);
            Xapian::PostingIterator pi = d.postlist_begin(t[i]);
            for (size_t k = 0; k < found.size() && pi != d.postlist_end(t[i]);
                 k++) {
                Xapian::docid did = dids[found[k]];
                pi.skip_to(did);
                if (pi == d.postlist_end(t[i]) || *pi != did)
                    continue;
                double wdf = pi.get_wdf();
                out[found[k]] +=
                    termweight * wdf /
                    (w->k1 * (normlen[k] * w->b + (1 - w->b)) + wdf);
            }
        }
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

/* ---- documents ---------------------------------------------------------- */

extern "C" recap_status
xap_doc_new(xap_doc **out, xap_error *err) noexcept
{
    if (!out)
        return misuse(err, "xap_doc_new");
    *out = nullptr;
    try {
        *out = new xap_doc;
        return RECAP_OK;
    } catch (...) {
        return fail(err);
    }
}

extern "C" void
xap_doc_free(xap_doc *doc) noexcept
{
    delete doc;
}

extern "C" recap_status
xap_doc_add_posting(xap_doc *doc, const char *term, size_t len, xap_termpos pos,
                    uint32_t wdf_inc, xap_error *err) noexcept
{
    if (!doc)
        return misuse(err, "xap_doc_add_posting");
    try {
        doc->doc.add_posting(str(term, len), pos, wdf_inc);
        return RECAP_OK;
    } catch (...) {
        return fail(err);
    }
}

extern "C" recap_status
xap_doc_add_term(xap_doc *doc, const char *term, size_t len, uint32_t wdf_inc,
                 xap_error *err) noexcept
{
    if (!doc)
        return misuse(err, "xap_doc_add_term");
    try {
        doc->doc.add_term(str(term, len), wdf_inc);
        return RECAP_OK;
    } catch (...) {
        return fail(err);
    }
}

extern "C" recap_status
xap_doc_add_boolean_term(xap_doc *doc, const char *term, size_t len,
                         xap_error *err) noexcept
{
    if (!doc)
        return misuse(err, "xap_doc_add_boolean_term");
    try {
        doc->doc.add_boolean_term(str(term, len));
        return RECAP_OK;
    } catch (...) {
        return fail(err);
    }
}

extern "C" recap_status
xap_doc_set_value(xap_doc *doc, xap_slot slot, const char *value, size_t len,
                  xap_error *err) noexcept
{
    if (!doc)
        return misuse(err, "xap_doc_set_value");
    try {
        doc->doc.add_value(slot, str(value, len));
        return RECAP_OK;
    } catch (...) {
        return fail(err);
    }
}

extern "C" recap_status
xap_doc_get_value(const xap_doc *doc, xap_slot slot, char **out,
                  size_t *len_out, xap_error *err) noexcept
{
    if (!doc || !out)
        return misuse(err, "xap_doc_get_value");
    *out = nullptr;
    try {
        *out = dup_out(doc->doc.get_value(slot), len_out);
        return RECAP_OK;
    } catch (...) {
        return fail(err);
    }
}

extern "C" recap_status
xap_doc_set_data(xap_doc *doc, const char *data, size_t len,
                 xap_error *err) noexcept
{
    if (!doc)
        return misuse(err, "xap_doc_set_data");
    try {
        doc->doc.set_data(str(data, len));
        return RECAP_OK;
    } catch (...) {
        return fail(err);
    }
}

extern "C" recap_status
xap_doc_get_data(const xap_doc *doc, char **out, size_t *len_out,
                 xap_error *err) noexcept
{
    if (!doc || !out)
        return misuse(err, "xap_doc_get_data");
    *out = nullptr;
    try {
        *out = dup_out(doc->doc.get_data(), len_out);
        return RECAP_OK;
    } catch (...) {
        return fail(err);
    }
}

extern "C" size_t
xap_sortable_serialise(double value, char *buf, size_t buf_len) noexcept
{
    try {
        std::string s = Xapian::sortable_serialise(value);
        if (buf && buf_len >= s.size())
            memcpy(buf, s.data(), s.size());
        return s.size();
    } catch (...) {
        return 0;
    }
}

extern "C" double
xap_sortable_unserialise(const char *buf, size_t len) noexcept
{
    try {
        return Xapian::sortable_unserialise(str(buf, len));
    } catch (...) {
        return 0.0;
    }
}

/* ---- queries ------------------------------------------------------------ */

/* Wraps a Query in a new handle; throws std::bad_alloc. */
static recap_status
new_query(Xapian::Query q, xap_query **out)
{
    *out = new xap_query{std::move(q)};
    return RECAP_OK;
}

extern "C" recap_status
xap_query_term(const char *term, size_t len, uint32_t wqf, xap_termpos pos,
               xap_query **out, xap_error *err) noexcept
{
    if (!term || len == 0 || !out)
        return misuse(err, "xap_query_term");
    *out = nullptr;
    try {
        return new_query(Xapian::Query(str(term, len), wqf, pos), out);
    } catch (...) {
        return fail(err);
    }
}

/* Xapian's operator for each xap_op, in the enum's order. */
static const Xapian::Query::op op_map[] = {
    Xapian::Query::OP_AND,       Xapian::Query::OP_OR,
    Xapian::Query::OP_AND_NOT,   Xapian::Query::OP_XOR,
    Xapian::Query::OP_AND_MAYBE, Xapian::Query::OP_FILTER,
    Xapian::Query::OP_NEAR,      Xapian::Query::OP_PHRASE,
    Xapian::Query::OP_ELITE_SET, Xapian::Query::OP_SYNONYM,
    Xapian::Query::OP_MAX};

extern "C" recap_status
xap_query_combine(xap_op op, xap_query *const *subs, size_t n, uint32_t window,
                  xap_query **out, xap_error *err) noexcept
{
    size_t n_ops = sizeof op_map / sizeof op_map[0];
    if (!out || (n > 0 && !subs) || (unsigned)op >= n_ops)
        return misuse(err, "xap_query_combine");
    *out = nullptr;
    for (size_t i = 0; i < n; i++)
        if (!subs[i])
            return misuse(err, "xap_query_combine");
    try {
        std::vector<Xapian::Query> v;
        v.reserve(n);
        for (size_t i = 0; i < n; i++)
            v.push_back(subs[i]->q);
        /* Only NEAR, PHRASE and ELITE_SET take a parameter; Xapian rejects
         * a non-zero one for the others. */
        bool param =
            op == XAP_OP_NEAR || op == XAP_OP_PHRASE || op == XAP_OP_ELITE_SET;
        return new_query(
            Xapian::Query(op_map[op], v.begin(), v.end(), param ? window : 0),
            out);
    } catch (...) {
        return fail(err);
    }
}

extern "C" recap_status
xap_query_scale(const xap_query *sub, double factor, xap_query **out,
                xap_error *err) noexcept
{
    if (!sub || !out)
        return misuse(err, "xap_query_scale");
    *out = nullptr;
    /* Xapian 1.4 does not reject a negative factor itself. */
    if (!(factor >= 0))
        return misuse(err, "xap_query_scale");
    try {
        return new_query(
            Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, sub->q, factor), out);
    } catch (...) {
        return fail(err);
    }
}

extern "C" recap_status
xap_query_wildcard(const char *prefix, size_t len, uint32_t max_expansion,
                   unsigned flags, xap_query **out, xap_error *err) noexcept
{
    if (!out)
        return misuse(err, "xap_query_wildcard");
    *out = nullptr;
    try {
        using Q = Xapian::Query;
        /* The limit is enforced when the match runs: unless the most
         * frequent terms are wanted, xap_enquire_mset() then fails with
         * RECAP_EQUERY (Xapian::WildcardError). */
        return new_query(
            Q(Q::OP_WILDCARD, str(prefix, len), max_expansion,
              (flags & XAP_WILDCARD_MOST_FREQUENT)
                  ? Q::WILDCARD_LIMIT_MOST_FREQUENT
                  : Q::WILDCARD_LIMIT_ERROR,
              (flags & XAP_WILDCARD_SYNONYM) ? Q::OP_SYNONYM : Q::OP_OR),
            out);
    } catch (...) {
        return fail(err);
    }
}

extern "C" recap_status
xap_db_wildcard_top(xap_db *db, const char *prefix, size_t len,
                    uint32_t max_expansion, unsigned flags, xap_query **out,
                    xap_error *err) noexcept
{
    if (!db || !out || (!prefix && len) || max_expansion == 0)
        return misuse(err, "xap_db_wildcard_top");
    *out = nullptr;
    try {
        using Q = Xapian::Query;
        typedef std::pair<Xapian::doccount, std::string> entry;
        /* Most frequent first, then byte order. */
        auto better = [](const entry &a, const entry &b) {
            return a.first != b.first ? a.first > b.first : a.second < b.second;
        };
        Xapian::Database &d = db->get();
        std::string p = str(prefix, len);
        std::vector<entry> top;
        for (auto t = d.allterms_begin(p); t != d.allterms_end(p); ++t) {
            top.emplace_back(t.get_termfreq(), *t);
            if (top.size() == 2 * (size_t)max_expansion) {
                std::nth_element(top.begin(), top.begin() + max_expansion,
                                 top.end(), better);
                top.resize(max_expansion);
            }
        }
        if (top.size() > max_expansion) {
            std::nth_element(top.begin(), top.begin() + max_expansion,
                             top.end(), better);
            top.resize(max_expansion);
        }
        std::sort(top.begin(), top.end(), better);
        std::vector<Q> subs;
        subs.reserve(top.size());
        for (const entry &e : top)
            subs.emplace_back(e.second);
        return new_query(
            Q((flags & XAP_WILDCARD_SYNONYM) ? Q::OP_SYNONYM : Q::OP_OR,
              subs.begin(), subs.end()),
            out);
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" recap_status
xap_query_value_range(xap_slot slot, const char *lo, size_t lo_len,
                      const char *hi, size_t hi_len, xap_query **out,
                      xap_error *err) noexcept
{
    if (!out)
        return misuse(err, "xap_query_value_range");
    *out = nullptr;
    try {
        using Q = Xapian::Query;
        if (lo && hi)
            return new_query(
                Q(Q::OP_VALUE_RANGE, slot, str(lo, lo_len), str(hi, hi_len)),
                out);
        if (hi)
            return new_query(Q(Q::OP_VALUE_LE, slot, str(hi, hi_len)), out);
        /* With both ends open, ">= empty" matches every document that has
         * a value in the slot. */
        return new_query(Q(Q::OP_VALUE_GE, slot, str(lo, lo_len)), out);
    } catch (...) {
        return fail(err);
    }
}

extern "C" recap_status
xap_query_value_weight(xap_slot slot, double factor, xap_query **out,
                       xap_error *err) noexcept
{
    if (!out)
        return misuse(err, "xap_query_value_weight");
    *out = nullptr;
    if (!(factor >= 0 && factor <= 1))
        return misuse(err, "xap_query_value_weight");
    try {
        /* release(): the query owns the source (and can serialise it for a
         * remote shard: the class is in Xapian's default registry). */
        Xapian::Query src(
            (new Xapian::ValueWeightPostingSource(slot))->release());
        return new_query(
            Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, src, factor), out);
    } catch (...) {
        return fail(err);
    }
}

extern "C" xap_query *
xap_query_copy(const xap_query *q) noexcept
{
    if (!q)
        return nullptr;
    try {
        return new xap_query{q->q};
    } catch (...) {
        return nullptr;
    }
}

extern "C" recap_status
xap_query_match_all(xap_query **out, xap_error *err) noexcept
{
    if (!out)
        return misuse(err, "xap_query_match_all");
    *out = nullptr;
    try {
        /* MatchAll alone carries a small weight; scale it to 0. */
        using Q = Xapian::Query;
        return new_query(Q(Q::OP_SCALE_WEIGHT, Q::MatchAll, 0.0), out);
    } catch (...) {
        return fail(err);
    }
}

extern "C" recap_status
xap_query_match_nothing(xap_query **out, xap_error *err) noexcept
{
    if (!out)
        return misuse(err, "xap_query_match_nothing");
    *out = nullptr;
    try {
        return new_query(Xapian::Query::MatchNothing, out);
    } catch (...) {
        return fail(err);
    }
}

extern "C" int
xap_query_is_empty(const xap_query *q) noexcept
{
    return !q || q->q.empty();
}

/* The share of the documents that match q (xap_query_estimate), or -1. */
static double
estimate_share(const Xapian::Query &q, const Xapian::MSet &stats, double n)
{
    size_t k = q.get_num_subqueries();
    double p, sub;

    switch (q.get_type()) {
    case Xapian::Query::LEAF_TERM:
        return std::min(1.0, stats.get_termfreq(*q.get_terms_begin()) / n);
    case Xapian::Query::LEAF_MATCH_ALL:
        return 1.0;
    case Xapian::Query::LEAF_MATCH_NOTHING:
        return 0.0;
    case Xapian::Query::OP_SCALE_WEIGHT:
    case Xapian::Query::OP_AND_MAYBE: /* the left side decides */
        return k ? estimate_share(q.get_subquery(0), stats, n) : -1.0;
    case Xapian::Query::OP_AND:
    case Xapian::Query::OP_FILTER:
    case Xapian::Query::OP_NEAR: /* at most as many as the AND */
    case Xapian::Query::OP_PHRASE:
        p = 1.0;
        for (size_t i = 0; i < k; i++) {
            if ((sub = estimate_share(q.get_subquery(i), stats, n)) < 0)
                return -1.0;
            p *= sub;
        }
        return p;
    case Xapian::Query::OP_OR:
    case Xapian::Query::OP_SYNONYM:
    case Xapian::Query::OP_MAX:
    case Xapian::Query::OP_ELITE_SET:
        p = 1.0; /* the share that matches none */
        for (size_t i = 0; i < k; i++) {
            if ((sub = estimate_share(q.get_subquery(i), stats, n)) < 0)
                return -1.0;
            p *= 1.0 - sub;
        }
        return 1.0 - p;
    case Xapian::Query::OP_XOR:
        p = 0.0;
        for (size_t i = 0; i < k; i++) {
            if ((sub = estimate_share(q.get_subquery(i), stats, n)) < 0)
                return -1.0;
            p += sub - 2.0 * p * sub;
        }
        return p;
    case Xapian::Query::OP_AND_NOT:
        if (!k || (p = estimate_share(q.get_subquery(0), stats, n)) < 0)
            return -1.0;
        for (size_t i = 1; i < k; i++) {
            if ((sub = estimate_share(q.get_subquery(i), stats, n)) < 0)
                return -1.0;
            p *= 1.0 - sub;
        }
        return p;
    default: /* value ranges, wildcards, posting sources */
        return -1.0;
    }
}

extern "C" int
xap_query_estimate(const xap_query *q, const xap_mset *stats, uint32_t doccount,
                   uint64_t *out) noexcept
{
    if (!q || !stats || !out)
        return -1;
    *out = 0;
    if (doccount == 0)
        return 0;
    try {
        double p = estimate_share(q->q, stats->mset, doccount);
        if (p < 0)
            return -1;
        /* Never 0 for a share above 0: 0 says nothing can match. */
        *out =
            p > 0 ? std::max<uint64_t>(1, (uint64_t)(p * doccount + 0.5)) : 0;
        return 0;
    } catch (...) {
        return -1;
    }
}

extern "C" char *
xap_query_describe(const xap_query *q) noexcept
{
    if (!q)
        return nullptr;
    try {
        return dup_out(q->q.get_description(), nullptr);
    } catch (...) {
        return nullptr;
    }
}

extern "C" void
xap_query_free(xap_query *q) noexcept
{
    delete q;
}

/* ---- matching ----------------------------------------------------------- */

extern "C" recap_status
xap_enquire_new(xap_db *db, xap_enquire **out, xap_error *err) noexcept
{
    if (!db || !out)
        return misuse(err, "xap_enquire_new");
    *out = nullptr;
    try {
        *out = new xap_enquire(*db);
        return RECAP_OK;
    } catch (...) {
        return fail(err, db->path.c_str());
    }
}

extern "C" void
xap_enquire_free(xap_enquire *e) noexcept
{
    delete e;
}

extern "C" recap_status
xap_enquire_set_query(xap_enquire *e, const xap_query *q, uint32_t qlen,
                      xap_error *err) noexcept
{
    if (!e || !q)
        return misuse(err, "xap_enquire_set_query");
    try {
        e->enq.set_query(q->q, qlen);
        return RECAP_OK;
    } catch (...) {
        return fail(err, e->path.c_str());
    }
}

extern "C" recap_status
xap_enquire_set_bm25(xap_enquire *e, double k1, double k2, double k3, double b,
                     double min_normlen, xap_error *err) noexcept
{
    if (!e)
        return misuse(err, "xap_enquire_set_bm25");
    try {
        e->enq.set_weighting_scheme(
            Xapian::BM25Weight(k1, k2, k3, b, min_normlen));
        return RECAP_OK;
    } catch (...) {
        return fail(err, e->path.c_str());
    }
}

extern "C" recap_status
xap_enquire_set_weighting(xap_enquire *e, const xap_weighting *w,
                          xap_error *err) noexcept
{
    if (!e || !w)
        return misuse(err, "xap_enquire_set_weighting");
    try {
        switch (w->scheme) {
        case XAP_SCHEME_BM25:
            e->enq.set_weighting_scheme(
                Xapian::BM25Weight(w->k1, 0, 1, w->b, w->min_normlen));
            break;
        case XAP_SCHEME_BM25PLUS:
            e->enq.set_weighting_scheme(Xapian::BM25PlusWeight(
                w->k1, 0, 1, w->b, w->min_normlen, w->delta));
            break;
        case XAP_SCHEME_DPH:
            e->enq.set_weighting_scheme(Xapian::DPHWeight());
            break;
        case XAP_SCHEME_PL2:
            e->enq.set_weighting_scheme(Xapian::PL2Weight(w->c));
            break;
        case XAP_SCHEME_PL2PLUS:
            e->enq.set_weighting_scheme(Xapian::PL2PlusWeight(w->c, w->delta));
            break;
        case XAP_SCHEME_INL2:
            e->enq.set_weighting_scheme(Xapian::InL2Weight(w->c));
            break;
        case XAP_SCHEME_LM:
            e->enq.set_weighting_scheme(Xapian::LMWeight(
                0.0, Xapian::Weight::DIRICHLET_SMOOTHING, w->mu, 0.0));
            break;
        default:
            return misuse(err, "xap_enquire_set_weighting");
        }
        return RECAP_OK;
    } catch (...) {
        return fail(err, e->path.c_str());
    }
}

extern "C" recap_status
xap_enquire_set_sort(xap_enquire *e, xap_sort sort, xap_slot slot, int reverse,
                     xap_error *err) noexcept
{
    if (!e)
        return misuse(err, "xap_enquire_set_sort");
    try {
        switch (sort) {
        case XAP_SORT_RELEVANCE:
            e->enq.set_sort_by_relevance();
            return RECAP_OK;
        case XAP_SORT_VALUE:
            e->enq.set_sort_by_value(slot, reverse != 0);
            return RECAP_OK;
        case XAP_SORT_VALUE_THEN_RELEVANCE:
            e->enq.set_sort_by_value_then_relevance(slot, reverse != 0);
            return RECAP_OK;
        case XAP_SORT_RELEVANCE_THEN_VALUE:
            e->enq.set_sort_by_relevance_then_value(slot, reverse != 0);
            return RECAP_OK;
        }
        return misuse(err, "xap_enquire_set_sort");
    } catch (...) {
        return fail(err, e->path.c_str());
    }
}

extern "C" recap_status
xap_enquire_set_collapse(xap_enquire *e, xap_slot slot, xap_error *err) noexcept
{
    if (!e)
        return misuse(err, "xap_enquire_set_collapse");
    try {
        e->enq.set_collapse_key(slot);
        return RECAP_OK;
    } catch (...) {
        return fail(err, e->path.c_str());
    }
}

extern "C" recap_status
xap_enquire_set_time_limit(xap_enquire *e, double seconds,
                           xap_error *err) noexcept
{
    if (!e || !(seconds >= 0))
        return misuse(err, "xap_enquire_set_time_limit");
    try {
        e->enq.set_time_limit(seconds);
        return RECAP_OK;
    } catch (...) {
        return fail(err, e->path.c_str());
    }
}

extern "C" recap_status
xap_enquire_mset(xap_enquire *e, uint32_t first, uint32_t maxitems,
                 uint32_t check_at_least, xap_mset **out,
                 xap_error *err) noexcept
{
    if (!e || !out)
        return misuse(err, "xap_enquire_mset");
    *out = nullptr;
    try {
        Xapian::MSet m = e->enq.get_mset(first, maxitems, check_at_least);
        *out = new xap_mset{m};
        return RECAP_OK;
    } catch (...) {
        return fail(err, e->path.c_str());
    }
}

extern "C" recap_status
xap_enquire_matching_terms(xap_enquire *e, xap_docid did, xap_termiter **out,
                           xap_error *err) noexcept
{
    if (!e || !out || did == 0)
        return misuse(err, "xap_enquire_matching_terms");
    *out = nullptr;
    try {
        *out = list_iter(e->enq.get_matching_terms_begin(did),
                         e->enq.get_matching_terms_end(did));
        return RECAP_OK;
    } catch (...) {
        return fail(err, e->path.c_str());
    }
}

/* Rejects terms that start with any of a list of prefixes. */
class skip_prefixes_decider : public Xapian::ExpandDecider {
  public:
    std::vector<std::string> prefixes;
    bool
    operator()(const std::string &term) const override
    {
        for (const std::string &p : prefixes)
            if (term.compare(0, p.size(), p) == 0)
                return false;
        return true;
    }
};

extern "C" recap_status
xap_enquire_eset(xap_enquire *e, const xap_docid *dids, size_t n_dids,
                 uint32_t max, const char *const *skip_prefixes,
                 xap_termiter **out, xap_error *err) noexcept
{
    if (!e || !out || (n_dids > 0 && !dids))
        return misuse(err, "xap_enquire_eset");
    *out = nullptr;
    try {
        Xapian::RSet rset;
        for (size_t i = 0; i < n_dids; i++)
            rset.add_document(dids[i]);
        skip_prefixes_decider decider;
        for (size_t i = 0; skip_prefixes && skip_prefixes[i]; i++)
            decider.prefixes.emplace_back(skip_prefixes[i]);
        Xapian::ESet eset = e->enq.get_eset(max, rset, &decider);
        xap_termiter *it = new xap_termiter;
        try {
            for (auto t = eset.begin(); t != eset.end(); ++t)
                it->list.push_back(*t);
        } catch (...) {
            delete it;
            throw;
        }
        *out = it;
        return RECAP_OK;
    } catch (...) {
        return fail(err, e->path.c_str());
    }
}

/* The MSet getters cannot report errors; they return 0 for a bad index. */

extern "C" uint32_t
xap_mset_size(const xap_mset *m) noexcept
{
    return m ? m->mset.size() : 0;
}

extern "C" uint32_t
xap_mset_estimated(const xap_mset *m) noexcept
{
    return m ? m->mset.get_matches_estimated() : 0;
}

extern "C" uint32_t
xap_mset_lower_bound(const xap_mset *m) noexcept
{
    return m ? m->mset.get_matches_lower_bound() : 0;
}

extern "C" uint32_t
xap_mset_upper_bound(const xap_mset *m) noexcept
{
    return m ? m->mset.get_matches_upper_bound() : 0;
}

extern "C" xap_docid
xap_mset_docid(const xap_mset *m, uint32_t i) noexcept
{
    if (!m || i >= m->mset.size())
        return 0;
    try {
        return *m->mset[i];
    } catch (...) {
        return 0;
    }
}

extern "C" double
xap_mset_weight(const xap_mset *m, uint32_t i) noexcept
{
    if (!m || i >= m->mset.size())
        return 0.0;
    try {
        return m->mset[i].get_weight();
    } catch (...) {
        return 0.0;
    }
}

extern "C" int
xap_mset_percent(const xap_mset *m, uint32_t i) noexcept
{
    if (!m || i >= m->mset.size())
        return 0;
    try {
        return m->mset[i].get_percent();
    } catch (...) {
        return 0;
    }
}

extern "C" recap_status
xap_mset_termfreq(const xap_mset *m, const char *term, size_t len,
                  uint32_t *out, xap_error *err) noexcept
{
    if (!m || !out)
        return misuse(err, "xap_mset_termfreq");
    try {
        *out = m->mset.get_termfreq(str(term, len));
        return RECAP_OK;
    } catch (...) {
        return fail(err);
    }
}

extern "C" recap_status
xap_mset_doc(const xap_mset *m, uint32_t i, xap_doc **out,
             xap_error *err) noexcept
{
    if (!m || !out || i >= m->mset.size())
        return misuse(err, "xap_mset_doc");
    *out = nullptr;
    try {
        Xapian::Document d = m->mset[i].get_document();
        *out = new xap_doc{d};
        return RECAP_OK;
    } catch (...) {
        return fail(err);
    }
}

extern "C" void
xap_mset_free(xap_mset *m) noexcept
{
    delete m;
}

/* ---- match spies -------------------------------------------------------- */

/* Counts the parts of one value slot (see xap_spy_new). */
class value_counter : public Xapian::MatchSpy {
  public:
    value_counter(Xapian::valueno slot, int sep) : slot_(slot), sep_(sep)
    {
    }

    void
    operator()(const Xapian::Document &doc, double) override
    {
        std::string v = doc.get_value(slot_);
        seen_++;
        if (sep_ < 0) {
            counts_[v]++;
            return;
        }
        /* Multi-valued: each distinct part once per document. */
        parts_.clear();
        size_t at = 0;
        while (at <= v.size()) {
            size_t end = v.find(static_cast<char>(sep_), at);
            if (end == std::string::npos)
                end = v.size();
            if (end > at)
                parts_.emplace_back(v, at, end - at);
            at = end + 1;
        }
        for (size_t i = 0; i < parts_.size(); i++) {
            bool dup = false;
            for (size_t j = 0; j < i && !dup; j++)
                dup = parts_[j] == parts_[i];
            if (!dup)
                counts_[parts_[i]]++;
        }
    }

    Xapian::valueno slot_;
    int sep_;
    uint32_t seen_ = 0;
    std::map<std::string, uint32_t> counts_;
    std::vector<std::string> parts_;
};

struct xap_spy {
    value_counter spy;
    xap_spy(xap_slot slot, int sep) : spy(slot, sep)
    {
    }
};

extern "C" recap_status
xap_spy_new(xap_slot slot, int sep, xap_spy **out, xap_error *err) noexcept
{
    if (!out || sep < -1 || sep > 255)
        return misuse(err, "xap_spy_new");
    *out = nullptr;
    try {
        *out = new xap_spy(slot, sep);
        return RECAP_OK;
    } catch (...) {
        return fail(err);
    }
}

extern "C" void
xap_spy_free(xap_spy *spy) noexcept
{
    delete spy;
}

extern "C" recap_status
xap_enquire_add_spy(xap_enquire *e, xap_spy *spy, xap_error *err) noexcept
{
    if (!e || !spy)
        return misuse(err, "xap_enquire_add_spy");
    try {
        e->enq.add_matchspy(&spy->spy);
        return RECAP_OK;
    } catch (...) {
        return fail(err, e->path.c_str());
    }
}

extern "C" uint32_t
xap_spy_seen(const xap_spy *spy) noexcept
{
    return spy ? spy->spy.seen_ : 0;
}

extern "C" recap_status
xap_spy_each(const xap_spy *spy, xap_spy_fn fn, void *ctx,
             xap_error *err) noexcept
{
    if (!spy || !fn)
        return misuse(err, "xap_spy_each");
    try {
        for (const auto &kv : spy->spy.counts_)
            if (fn(ctx, kv.first.data(), kv.first.size(), kv.second))
                break;
        return RECAP_OK;
    } catch (...) {
        return fail(err);
    }
}
