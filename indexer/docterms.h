/*
 * docterms.h: turning an ingest_doc into a Xapian document by the schema
 * (lib/schema.h): analysed terms with positions per field, filter terms,
 * the date value and the stored data the query side shows hits from.
 */
#ifndef RECAP_DOCTERMS_H
#define RECAP_DOCTERMS_H

#include <stdint.h>

#include "analysis.h"
#include "ingest.h"
#include "xap.h"

/*
 * Builds the document for `doc`.  `stemmer` is the stemmer for doc->lang
 * (NULL: no stem terms).  *n_terms_out receives the number of term
 * occurrences generated (may be NULL).  Returns RECAP_OK and *out (free with
 * xap_doc_free), or RECAP_ENOMEM / RECAP_EBACKEND with the message in `err`.
 */
recap_status docterms_build(const ingest_doc *doc, analysis_stemmer *stemmer,
                            xap_doc **out, uint64_t *n_terms_out,
                            xap_error *err);

/* The unique term of a path ("Q" + path), malloc()ed; NULL on ENOMEM. */
char *docterms_path_term(const char *relpath, size_t *len_out);

#endif
