/*
 * docpack.h: the packed form of a document's stored data (lib/schema.h,
 * SCHEMA_SLOT_DATA).
 *
 * Xapian's glass backend compresses the document data with zlib and
 * inflates it whole on every read; showing a hit with snippets needs every
 * section's text, so that inflate was a fifth of a search's instructions.
 * Values are kept uncompressed, so the indexer stores the data in a value
 * slot, compressed with LZ4, whose decompression costs a fraction of
 * zlib's.  The layout:
 *
 *   byte 0      DOCPACK_RAW (payload stored as is) or DOCPACK_LZ4 (an LZ4
 *               block)
 *   bytes 1-4   the unpacked length, little-endian
 *   bytes 5-    the payload
 */
#ifndef RECAP_DOCPACK_H
#define RECAP_DOCPACK_H

#include <stddef.h>

#define DOCPACK_RAW 0
#define DOCPACK_LZ4 1
#define DOCPACK_HEADER 5
/* LZ4 HC's level: on the Istio site level 9 packs the stored data to
 * 1.3 MB more than Xapian's zlib did (fast LZ4: 2.1 MB more; unpacked: 7.7
 * MB more) and builds no slower, as the indexer no longer deflates it;
 * unpacking costs the same at every level. */
#define DOCPACK_LEVEL 9
/* The largest unpacked length (LZ4's block limit, below 2 GiB). */
#define DOCPACK_MAX 0x7E000000u

/*
 * Packs `len` bytes of `data` into *out (malloc()ed, the caller's) and
 * *out_len: LZ4-compressed, or raw when that is not smaller.  Returns 0,
 * or -1 when memory runs out or `len` exceeds DOCPACK_MAX.
 */
int docpack_pack(const char *data, size_t len, char **out, size_t *out_len);

/*
 * Unpacks `len` bytes of `packed` into *out (malloc()ed, NUL-terminated,
 * the caller's) and *out_len.  Returns 0, or -1 when the bytes are not a
 * well-formed packed value or memory runs out.
 */
int docpack_unpack(const char *packed, size_t len, char **out, size_t *out_len);

#endif
