/* sim/json.c: JSON string and number output (see json.h). */
#include "json.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void simjson_string(GString *out, const char *s, ssize_t len)
{
    size_t n = len < 0 ? strlen(s) : (size_t)len;
    const char *end = s + n;
    g_string_append_c(out, '"');
    while (s < end) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x80) {
            switch (c) {
            case '"': g_string_append(out, "\\\""); break;
            case '\\': g_string_append(out, "\\\\"); break;
            case '\n': g_string_append(out, "\\n"); break;
            case '\r': g_string_append(out, "\\r"); break;
            case '\t': g_string_append(out, "\\t"); break;
            default:
                if (c < 0x20)
                    g_string_append_printf(out, "\\u%04x", c);
                else
                    g_string_append_c(out, (char)c);
            }
            s++;
            continue;
        }
        const char *next = NULL;
        gunichar u = g_utf8_get_char_validated(s, end - s);
        if (u == (gunichar)-1 || u == (gunichar)-2) {
            g_string_append(out, "\\ufffd");
            s++;
            continue;
        }
        next = g_utf8_next_char(s);
        g_string_append_len(out, s, next - s);
        s = next;
    }
    g_string_append_c(out, '"');
}

void simjson_double(GString *out, double v)
{
    if (!isfinite(v)) {
        g_string_append(out, "null");
        return;
    }
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    /* shortest precision that reads back to the same double */
    for (int prec = 1; prec <= 17; prec++) {
        char fmt[8];
        g_snprintf(fmt, sizeof fmt, "%%.%dg", prec);
        g_ascii_formatd(buf, sizeof buf, fmt, v);
        if (g_ascii_strtod(buf, NULL) == v)
            break;
    }
    g_string_append(out, buf);
}

void simjson_int(GString *out, int64_t v)
{
    g_string_append_printf(out, "%" PRId64, v);
}
