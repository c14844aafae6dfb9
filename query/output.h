/*
 * output.h: rendering results for people and scripts (recap_results_format
 * in include/recapsearch.h), and the word wrapper behind the text format.
 *
 * The wrapper lays out UTF-8 text in terminal columns: words move to the
 * next line when they do not fit, CJK characters (two columns each) may
 * break anywhere, a word longer than a line is cut between characters,
 * and highlighted ranges are wrapped in an SGR style that is closed before
 * each line break and reopened after the indent, so no style leaks into the
 * margin.  Control characters never reach the output.
 */
#ifndef RECAP_OUTPUT_H
#define RECAP_OUTPUT_H

#include <stddef.h>

#include "util.h"

/* SGR styles of the text format (used only with colour on). */
#define OUTPUT_SGR_TITLE "\033[1m"
#define OUTPUT_SGR_URL "\033[36m"
#define OUTPUT_SGR_META "\033[2m"
#define OUTPUT_SGR_HEADING "\033[35m"
#define OUTPUT_SGR_MATCH "\033[1;31m"
#define OUTPUT_SGR_RESET "\033[0m"

typedef struct output_wrap {
    strbuf *out;
    unsigned width;  /* columns; 0: never break */
    unsigned indent; /* columns of spaces starting each continuation line */
    unsigned col;    /* the current column */
    int color;       /* emit SGR styles */
} output_wrap;

/* Columns taken by s[0..len) on a terminal: 2 for wide (CJK) characters,
 * 0 for combining marks, 1 for others and for each invalid byte. */
size_t output_width(const char *s, size_t len);

/*
 * Appends s[0..len) to w->out, breaking lines as described above.  Runs of
 * whitespace become one space (or a line break).  `hl` holds `n_hl`
 * (byte offset, byte length) pairs into s, in order and disjoint, shown in
 * `hl_style`; the rest is shown in `style` (either may be NULL for none).
 */
void output_wrap_text(output_wrap *w, const char *s, size_t len,
                      const char *style, const size_t *hl, size_t n_hl,
                      const char *hl_style);

/* Ends the current line. */
void output_wrap_newline(output_wrap *w);

#endif
