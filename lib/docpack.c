/*
 * docpack.c: the packed stored data (see docpack.h).
 */
#include "docpack.h"

#include <lz4.h>
#include <lz4hc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void
put_u32(char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (char)(v >> (8 * i) & 0xFF);
}

static uint32_t
get_u32(const char *p)
{
    uint32_t v = 0;

    for (int i = 0; i < 4; i++)
        v |= (uint32_t)(unsigned char)p[i] << (8 * i);
    return v;
}

int
docpack_pack(const char *data, size_t len, char **out, size_t *out_len)
{
    char *buf;
    int bound, n;

    *out = NULL;
    *out_len = 0;
    if (len > DOCPACK_MAX)
        return -1;
    bound = LZ4_compressBound((int)len);
    if (!(buf = malloc(DOCPACK_HEADER + (size_t)bound)))
        return -1;
    put_u32(buf + 1, (uint32_t)len);
    n = len ? LZ4_compress_HC(data, buf + DOCPACK_HEADER, (int)len, bound,
                              DOCPACK_LEVEL)
            : 0;
    if (n > 0 && (size_t)n < len) {
        buf[0] = DOCPACK_LZ4;
        *out_len = DOCPACK_HEADER + (size_t)n;
    } else {
        buf[0] = DOCPACK_RAW;
        if (len)
            memcpy(buf + DOCPACK_HEADER, data, len);
        *out_len = DOCPACK_HEADER + len;
    }
    *out = buf;
    return 0;
}

int
docpack_unpack(const char *packed, size_t len, char **out, size_t *out_len)
{
    uint32_t n;
    char *buf;

    *out = NULL;
    *out_len = 0;
    if (len < DOCPACK_HEADER)
        return -1;
    n = get_u32(packed + 1);
    if (n > DOCPACK_MAX ||
        (packed[0] == DOCPACK_RAW && n != len - DOCPACK_HEADER) ||
        (packed[0] != DOCPACK_RAW && packed[0] != DOCPACK_LZ4))
        return -1;
    if (!(buf = malloc((size_t)n + 1)))
        return -1;
    if (packed[0] == DOCPACK_RAW) {
        memcpy(buf, packed + DOCPACK_HEADER, n);
    } else if (LZ4_decompress_safe(packed + DOCPACK_HEADER, buf,
                                   (int)(len - DOCPACK_HEADER),
                                   (int)n) != (int)n) {
        free(buf);
        return -1;
    }
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return 0;
}
