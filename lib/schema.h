/*
 * schema.h: the document schema, in one place: term prefixes, value slots,
 * field weights and the layout of the stored document data.  The indexer
 * writes by it and the query side reads by it.
 *
 * Terms (Xapian's conventions):
 *   "word"          unprefixed: all searchable prose (title, subtitle,
 *                   description, keywords, headings, body, captions), with
 *                   positions; fields weigh more through a wdf increment
 *   "Z" P "stem"    the stem of a term of prefix P (no positions), so exact
 *                   words rank above stem matches
 *   P "word"        a term of one field, with positions, for field search
 *   boolean terms   filters: language, section, tags, year, unique path
 *
 * Values: SCHEMA_SLOT_DATE holds the publication date as "YYYYMMDDhhmmss"
 * (sorts as bytes), empty when unknown; the other slots feed facets.
 *
 * Stored data (schema version SCHEMA_DATA_VERSION) holds, so a hit can be
 * shown without reading its file again:
 *   {"v":1, "path", "url", "title", "date", "section", "lang",
 *    "description", "sections": [{"h": heading|null, "a": anchor|null,
 *    "t": prose, "c": code, "l": labels}, ...],
 *    "links": [target, ...], "translations": [{"lang", "url", "path"}, ...]}
 * "l" (tab names and block headers, one per line; indexed with heading
 * weight), "links" (link and image targets of the body, never in "t") and
 * "translations" (the page's other-language versions) are present only
 * when non-empty.  The summary (SCHEMA_SLOT_SUMMARY) is this JSON object
 * with "sections" empty; the whole data (SCHEMA_SLOT_DATA) is the same
 * content in the binary layout of lib/pagebin.h (JSON in indexes of
 * SCHEMA_TERMS_VERSION 3 and before).
 */
#ifndef RECAP_SCHEMA_H
#define RECAP_SCHEMA_H

/* Term prefixes of searchable fields. */
#define SCHEMA_PREFIX_TITLE "S"
#define SCHEMA_PREFIX_DESCRIPTION "XD"
#define SCHEMA_PREFIX_KEYWORD "K"
#define SCHEMA_PREFIX_AUTHOR "A"
#define SCHEMA_PREFIX_HEADING "XH"
#define SCHEMA_PREFIX_CODE "XC"
/* The stem prefix, put before a field prefix ("ZSmesh"). */
#define SCHEMA_PREFIX_STEM "Z"

/* Boolean (filter) term prefixes; values are normalised whole strings. */
#define SCHEMA_PREFIX_LANG "L"
#define SCHEMA_PREFIX_SECTION "XS"
#define SCHEMA_PREFIX_TAG "XT"
#define SCHEMA_PREFIX_YEAR "XY"
#define SCHEMA_PREFIX_PATH "Q" /* unique id: the path relative to root */
#define SCHEMA_PREFIX_URL "U"

/* Value slots.  The facet slots hold the values as shown (not
 * normalised); multi-valued ones separate values with SCHEMA_VALUE_SEP. */
#define SCHEMA_SLOT_DATE 0
#define SCHEMA_SLOT_SECTION 1
#define SCHEMA_SLOT_YEAR 2
#define SCHEMA_SLOT_LANG 3
#define SCHEMA_SLOT_TAGS 4   /* keywords, tags and categories */
#define SCHEMA_SLOT_AUTHOR 5 /* attribution, author, authors */
/* The stored data without its sections (a JSON object of the same
 * layout), so hits shown without snippets need not read the whole text. */
#define SCHEMA_SLOT_SUMMARY 6
/* The page's content prior, a number (xap_sortable_serialise): 0 for a
 * page with no text of its own (no prose or code in its sections, only
 * front matter: a section list or FAQ index page), SCHEMA_PRIOR_MAX for
 * the others.  The query side adds it to every match, scaled by
 * recap_ranking.prior / SCHEMA_PRIOR_MAX (Xapian needs a factor of at most
 * 1: see xap_query_value_weight).  A number rather than a flag, so that a
 * graded prior needs no new slot. */
#define SCHEMA_SLOT_PRIOR 7
#define SCHEMA_PRIOR_MAX 100.0
/* The whole stored data (lib/pagebin.h's binary layout; the JSON object
 * above in indexes of SCHEMA_TERMS_VERSION 3), packed (lib/docpack.h: LZ4,
 * not Xapian's zlib); the Xapian document data is then empty.  Indexes of
 * SCHEMA_TERMS_VERSION 2 and before keep the JSON in the document data,
 * and the query side reads it from there when the slot is empty. */
#define SCHEMA_SLOT_DATA 8
#define SCHEMA_VALUE_SEP '\x1f'

/* Within-document weights: how many wdf a word of each field adds to the
 * unprefixed term.  Body prose is 1.  Code does not go to the unprefixed
 * field at all: it is searched through SCHEMA_PREFIX_CODE with a lower
 * query weight (recap_ranking.code). */
#define SCHEMA_WDF_TITLE 8
#define SCHEMA_WDF_SUBTITLE 3
#define SCHEMA_WDF_DESCRIPTION 4
#define SCHEMA_WDF_KEYWORD 6
#define SCHEMA_WDF_HEADING 3
#define SCHEMA_WDF_AUTHOR 1
#define SCHEMA_WDF_BODY 1

/* Positions: each field and block starts this many positions after the
 * previous one, so phrases never match across them. */
#define SCHEMA_POS_GAP 100

#define SCHEMA_DATA_VERSION 1

/* Index metadata keys. */
#define SCHEMA_META_MAIN_LANG "recap.main_lang"
#define SCHEMA_META_VERSION "recap.schema"
/* The version of what a page becomes (terms, values, stored data), kept
 * with the source stamps: stamps of another version are stale, so the
 * next incremental run re-reads every file and no page keeps terms of an
 * older program.  Raise it with every change to docterms.c's output.
 * 1 (or none): before the content prior (SCHEMA_SLOT_PRIOR); 2: before
 * the packed stored data (SCHEMA_SLOT_DATA); 3: the whole stored data as
 * JSON, before the binary layout (lib/pagebin.h). */
#define SCHEMA_TERMS_VERSION 4
/* Source stamps of the indexed files, for incremental indexing
 * (indexer/incremental.h): {"rev": revision, "files": {path: [size,
 * mtime_ns, "hash", [included files]]}, "terms": SCHEMA_TERMS_VERSION}. */
#define SCHEMA_META_STAMPS "recap.stamps"

#endif
