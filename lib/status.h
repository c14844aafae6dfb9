/*
 * status.h: internal modules include this for recap_status, which the public
 * header defines (one definition, one place).
 */
#ifndef RECAP_INTERNAL_STATUS_H
#define RECAP_INTERNAL_STATUS_H

#include "recapsearch.h"

#endif
