/*
 * limit.h: the sizes recapsearch supports, in one place.  README.md
 * ("Limits") documents each and the message a user sees past it; the
 * modules that enforce them use these names.
 */
#ifndef RECAP_LIMIT_H
#define RECAP_LIMIT_H

/* A markdown file larger than this is not indexed ("... is 25.3 MB, over
 * the 20 MB limit for a page; not indexed"). */
#define LIMIT_FILE_BYTES (20u * 1024 * 1024)

/* A page's path relative to the content folder: Xapian terms are at most
 * 245 bytes and the path is one, after a one-byte prefix. */
#define LIMIT_PATH_BYTES 240u

/* One front-matter field (all values of a list together): longer ones are
 * cut at a character boundary, with a warning, and the page is indexed. */
#define LIMIT_FIELD_BYTES (64u * 1024)

/* A word longer than this, in bytes after normalisation, is neither
 * indexed nor searched for (no real word is; base64 blobs and hashes are). */
#define LIMIT_TERM_BYTES 64

/* A filter term (tag, author, section) is cut to this many bytes. */
#define LIMIT_FILTER_TERM_BYTES 240

/* A query longer than this is refused with RECAP_EQUERY ("query is 70000
 * bytes, over the 65536-byte limit: shorten it").  Only its first 64 words
 * and 32 levels of nesting are used anyway (query/qparse.h); the limit
 * bounds the time spent reading it.  The server has lower limits of its
 * own. */
#define LIMIT_QUERY_BYTES (64u * 1024)
/* The default budget of a reader's cache of parsed pages (query/doccache.h,
 * recap_index_set_page_cache): the whole of a site like Istio's (2,500
 * pages, about 12 MB unpacked). */
#define LIMIT_PAGE_CACHE_BYTES (32u * 1024 * 1024)

#endif
