/* sim/simtime.c: parsing and printing virtual time (see simtime.h). */
#include "simtime.h"

#include <string.h>
#include <inttypes.h>

G_DEFINE_QUARK(simt-error-quark, simt_error)

sim_time_t simt_unit(const char *name, size_t len)
{
    static const struct { const char *name; sim_time_t ps; } units[] = {
        { "ps", SIM_PS }, { "ns", SIM_NS }, { "us", SIM_US },
        { "ms", SIM_MS }, { "s", SIM_S },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(units); i++)
        if (strlen(units[i].name) == len && memcmp(units[i].name, name, len) == 0)
            return units[i].ps;
    return 0;
}

bool simt_parse(const char *text, sim_time_t *out, GError **error)
{
    const char *p = text;
    uint64_t whole = 0, frac = 0, frac_scale = 1;
    bool digits = false;

    if (text == NULL || *text == '\0') {
        g_set_error(error, SIMT_ERROR, SIMT_ERROR_SYNTAX, "empty time (write e.g. 10ms)");
        return false;
    }
    while (g_ascii_isspace(*p))
        p++;
    for (; g_ascii_isdigit(*p); p++) {
        digits = true;
        uint64_t d = (uint64_t)(*p - '0');
        if (whole > UINT64_MAX / 10 || (whole == UINT64_MAX / 10 && d > UINT64_MAX % 10))
            goto range;
        whole = whole * 10 + d;
    }
    if (*p == '.') {
        p++;
        for (; g_ascii_isdigit(*p); p++) {
            digits = true;
            if (frac_scale >= UINT64_C(1000000000000000000)) {
                if (*p != '0')
                    goto fine;   /* more than 18 decimals that are not zero */
                continue;
            }
            frac = frac * 10 + (uint64_t)(*p - '0');
            frac_scale *= 10;
        }
    }
    if (!digits) {
        g_set_error(error, SIMT_ERROR, SIMT_ERROR_SYNTAX,
                    "'%s' is not a time (write a number and a unit: ps, ns, us, ms, s)", text);
        return false;
    }
    while (g_ascii_isspace(*p))
        p++;
    const char *u = p;
    while (g_ascii_isalpha(*p))
        p++;
    size_t ulen = (size_t)(p - u);
    while (g_ascii_isspace(*p))
        p++;
    if (*p != '\0') {
        g_set_error(error, SIMT_ERROR, SIMT_ERROR_SYNTAX,
                    "'%s' is not a time: unexpected '%s'", text, p);
        return false;
    }
    if (ulen == 0) {
        g_set_error(error, SIMT_ERROR, SIMT_ERROR_SYNTAX,
                    "'%s' has no unit (write e.g. %sns or %sus; units: ps, ns, us, ms, s)",
                    text, u == text ? "10" : text, u == text ? "10" : text);
        return false;
    }
    sim_time_t scale = simt_unit(u, ulen);
    if (scale == 0) {
        g_set_error(error, SIMT_ERROR, SIMT_ERROR_SYNTAX,
                    "'%s' has an unknown unit '%.*s' (units: ps, ns, us, ms, s)",
                    text, (int)ulen, u);
        return false;
    }
    if (whole > UINT64_MAX / scale)
        goto range;
    sim_time_t t = whole * scale;
    /* frac / frac_scale of a unit, which must be a whole number of ps:
     * scale and frac_scale are both powers of ten. */
    if (frac != 0) {
        uint64_t num = frac, den = frac_scale, sc = scale;
        while (den > 1 && sc % 10 == 0) {
            den /= 10;
            sc /= 10;
        }
        if (num % den != 0)
            goto fine;
        uint64_t part = (num / den) * sc;
        if (t > UINT64_MAX - part)
            goto range;
        t += part;
    }
    *out = t;
    return true;
range:
    g_set_error(error, SIMT_ERROR, SIMT_ERROR_RANGE,
                "'%s' is out of range (at most %" PRIu64 "ps, about 213 days)", text, UINT64_MAX);
    return false;
fine:
    g_set_error(error, SIMT_ERROR, SIMT_ERROR_RANGE,
                "'%s' is finer than a picosecond, the resolution of simulated time", text);
    return false;
}

char *simt_unit_hint(int64_t v, char *buf, size_t len)
{
    char alt[SIMT_FMT_LEN];
    if (v > 0 && v <= INT64_MAX / 1000 && v % 1000 == 0) {
        simt_format((sim_time_t)v * SIM_NS, alt, sizeof alt);
        g_snprintf(buf, len, "write e.g. \"%" PRId64 "ns\" or \"%s\"; units: ps, ns, us, ms, s", v, alt);
    } else {
        g_snprintf(buf, len, "write e.g. \"%" PRId64 "ns\" or \"%" PRId64 "us\"; units: ps, ns, us, ms, s", v, v);
    }
    return buf;
}

char *simt_format(sim_time_t t, char *buf, size_t len)
{
    static const struct { const char *name; sim_time_t ps; } units[] = {
        { "s", SIM_S }, { "ms", SIM_MS }, { "us", SIM_US }, { "ns", SIM_NS },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(units); i++) {
        sim_time_t u = units[i].ps;
        if (t < u)
            continue;
        sim_time_t whole = t / u, rest = t % u;
        if (rest == 0) {
            g_snprintf(buf, len, "%" PRIu64 "%s", whole, units[i].name);
            return buf;
        }
        /* exact decimal fraction, trailing zeros removed */
        char digits[16];
        int width = 0;
        for (sim_time_t x = u; x > 1; x /= 10)
            width++;
        g_snprintf(digits, sizeof digits, "%0*" PRIu64, width, rest);
        for (int k = width - 1; k > 0 && digits[k] == '0'; k--)
            digits[k] = '\0';
        g_snprintf(buf, len, "%" PRIu64 ".%s%s", whole, digits, units[i].name);
        return buf;
    }
    g_snprintf(buf, len, "%" PRIu64 "ps", t);
    return buf;
}
