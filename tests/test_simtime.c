/* tests/test_simtime.c: unit tests of the text form of simulated time
 * (sim/simtime.h).
 *
 * Users type times on the command line and in scenarios ("250us", "1.5ms")
 * and read them in reports.  A parse that silently rounds, accepts a bare
 * number, or wraps around on overflow gives a run of a different length
 * than asked for; a format that rounds gives a report that cannot be typed
 * back.  Expected picosecond counts are worked out by hand in the comments:
 * 1 ns = 10^3 ps, 1 us = 10^6 ps, 1 ms = 10^9 ps, 1 s = 10^12 ps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <string.h>

#include "sim/simtime.h"

/* text must parse to want ps, without an error. */
static void check_parses(const char *text, sim_time_t want, int line)
{
    GError *err = NULL;
    sim_time_t got = 12345;
    bool ok = simt_parse(text, &got, &err);
    if (!ok)
        fail_msg("line %d: \"%s\" refused (%s), expected %" PRIu64 "ps",
                 line, text, err ? err->message : "no error set", want);
    if (err != NULL)
        fail_msg("line %d: \"%s\" accepted but an error was set: %s", line, text, err->message);
    if (got != want)
        fail_msg("line %d: \"%s\" parsed as %" PRIu64 "ps, expected %" PRIu64 "ps",
                 line, text, got, want);
}
#define assert_parses(text, want) check_parses((text), (want), __LINE__)

/* text must be refused with an error in SIMT_ERROR; code < 0 accepts any
 * code of that domain. */
static void check_refused(const char *text, int code, int line)
{
    GError *err = NULL;
    sim_time_t got = 0;
    bool ok = simt_parse(text, &got, &err);
    if (ok)
        fail_msg("line %d: \"%s\" accepted as %" PRIu64 "ps, expected an error",
                 line, text ? text : "(null)", got);
    if (err == NULL)
        fail_msg("line %d: \"%s\" refused without an error", line, text ? text : "(null)");
    if (err->domain != SIMT_ERROR || (code >= 0 && err->code != code))
        fail_msg("line %d: \"%s\" refused with %s code %d (%s), expected SIMT_ERROR code %d",
                 line, text ? text : "(null)", g_quark_to_string(err->domain), err->code,
                 err->message, code);
    if (err->message == NULL || err->message[0] == '\0')
        fail_msg("line %d: \"%s\" refused with an empty message", line, text ? text : "(null)");
    g_error_free(err);
    /* A NULL error pointer is allowed and gives the same answer. */
    assert_false(simt_parse(text, &got, NULL));
}
#define assert_refused(text, code) check_refused((text), (code), __LINE__)

static void check_formats(sim_time_t t, const char *want, int line)
{
    char buf[SIMT_FMT_LEN];
    const char *got = simt_format(t, buf, sizeof buf);
    assert_ptr_equal(got, buf);
    if (strcmp(got, want) != 0)
        fail_msg("line %d: %" PRIu64 "ps formatted as \"%s\", expected \"%s\"", line, t, got, want);
}
#define assert_formats(t, want) check_formats((t), (want), __LINE__)

/* ---- parsing ----------------------------------------------------------------- */

static void test_parse_examples(void **state)
{
    (void)state;
    assert_parses("250us", 250 * SIM_US);            /* 250 * 10^6 = 250000000 */
    assert_parses("1.5ms", UINT64_C(1500000000));    /* 1.5 * 10^9 */
    assert_parses("10 s", UINT64_C(10000000000000)); /* 10 * 10^12 */
    assert_parses("42ps", 42);
    assert_parses("0ps", 0);
    assert_parses("0s", 0);
    assert_parses("7ns", 7000);
    assert_parses("  7ns  ", 7000);                  /* surrounding blanks */
    assert_parses("3 us", UINT64_C(3000000));
    assert_parses("0.25us", 250000);                 /* 0.25 * 10^6 */
    assert_parses("2.000ns", 2000);                  /* trailing zeros are harmless */
    assert_parses("1.001us", 1001000);
    assert_parses("12.345678ms", UINT64_C(12345678000));   /* 12.345678 * 10^9 */
}

static void test_parse_down_to_the_picosecond(void **state)
{
    (void)state;
    /* The finest fraction of each unit that is still a whole picosecond. */
    assert_parses("0.001ns", 1);
    assert_parses("0.000001us", 1);
    assert_parses("0.000000001ms", 1);
    assert_parses("0.000000000001s", 1);
    assert_parses("1.000000000001s", UINT64_C(1000000000001));
    assert_parses("1.000000000ps", 1);
    /* Many trailing zeros beyond the 18 decimals kept internally: the value
     * is still exact (1.5 s = 1.5 * 10^12 ps). */
    assert_parses("1.5000000000000000000000000s", UINT64_C(1500000000000));
}

static void test_parse_largest_time(void **state)
{
    (void)state;
    /* The largest time is 2^64 - 1 = 18446744073709551615 ps
     * = 18446744.073709551615 s (simtime.h: about 213 days).  The parser's
     * own range error names that figure as the limit, so it must parse in
     * every unit that can express it exactly. */
    assert_parses("18446744.073709551615s", SIM_TIME_MAX);
    assert_parses("18446744073.709551615ms", SIM_TIME_MAX);
    assert_parses("18446744073709551.615ns", SIM_TIME_MAX);
    assert_parses("18446744073709551615ps", SIM_TIME_MAX);
    /* Just below, with a whole-number ps count of 20 digits. */
    assert_parses("18446744073709551609ps", SIM_TIME_MAX - 6);
}

static void test_parse_requires_a_unit(void **state)
{
    (void)state;
    assert_refused("10", SIMT_ERROR_SYNTAX);
    assert_refused("1.5", SIMT_ERROR_SYNTAX);
    assert_refused("0", SIMT_ERROR_SYNTAX);
    assert_refused(" 250 ", SIMT_ERROR_SYNTAX);
}

static void test_parse_refuses_unknown_units(void **state)
{
    (void)state;
    assert_refused("10m", SIMT_ERROR_SYNTAX);        /* minutes or metres? */
    assert_refused("10min", SIMT_ERROR_SYNTAX);
    assert_refused("10sec", SIMT_ERROR_SYNTAX);
    assert_refused("10 h", SIMT_ERROR_SYNTAX);
    assert_refused("10MS", SIMT_ERROR_SYNTAX);       /* units are lower case */
    assert_refused("10fs", SIMT_ERROR_SYNTAX);       /* finer than the resolution */
    assert_refused("10mss", SIMT_ERROR_SYNTAX);
    assert_refused("10µs", SIMT_ERROR_SYNTAX);       /* only "us" */
}

static void test_parse_refuses_finer_than_a_picosecond(void **state)
{
    (void)state;
    /* Rounding would change the run; the user must write a whole ps. */
    assert_refused("0.5ps", -1);
    assert_refused("1.0000005ns", -1);               /* 1000.0005 ps */
    assert_refused("0.0000000000001s", -1);          /* 0.1 ps */
    assert_refused("1.0001ns", -1);                  /* 1000.1 ps */
    assert_refused("0.0000000000000000001s", -1);    /* a non-zero 19th decimal */
    assert_refused("2.0000000000000000000001s", -1); /* beyond the 18 kept decimals */
}

static void test_parse_refuses_overflow(void **state)
{
    (void)state;
    /* 2^64 ps = 18446744.073709551616 s, so 20000000 s (2 * 10^19 ps) does
     * not fit; neither does one picosecond more than the largest time. */
    assert_refused("20000000s", SIMT_ERROR_RANGE);
    assert_refused("18446745s", SIMT_ERROR_RANGE);
    assert_refused("18446744.073709551616s", SIMT_ERROR_RANGE);
    assert_refused("18446744073709551616ps", SIMT_ERROR_RANGE);
    assert_refused("18446744073709552ns", SIMT_ERROR_RANGE);   /* 2^64 + 384 ps */
    assert_refused("99999999999999999999999999ps", SIMT_ERROR_RANGE);
    assert_refused("1000000000000000000000000s", SIMT_ERROR_RANGE);
}

static void test_parse_refuses_garbage(void **state)
{
    (void)state;
    assert_refused(NULL, SIMT_ERROR_SYNTAX);
    assert_refused("", SIMT_ERROR_SYNTAX);
    assert_refused("   ", SIMT_ERROR_SYNTAX);
    assert_refused("ms", SIMT_ERROR_SYNTAX);
    assert_refused("abc", SIMT_ERROR_SYNTAX);
    assert_refused("-5ms", SIMT_ERROR_SYNTAX);       /* time has no sign */
    assert_refused("+5ms", SIMT_ERROR_SYNTAX);
    assert_refused("5ms junk", SIMT_ERROR_SYNTAX);
    assert_refused("5ms5", SIMT_ERROR_SYNTAX);
    assert_refused("5 m s", SIMT_ERROR_SYNTAX);
    assert_refused("1e3ms", SIMT_ERROR_SYNTAX);      /* no exponents */
    assert_refused("5..5ms", SIMT_ERROR_SYNTAX);
    assert_refused("5.5.5ms", SIMT_ERROR_SYNTAX);
    assert_refused("5,5ms", SIMT_ERROR_SYNTAX);
    assert_refused("0x10ns", SIMT_ERROR_SYNTAX);
    assert_refused("10ms;", SIMT_ERROR_SYNTAX);
    assert_refused(".", SIMT_ERROR_SYNTAX);
    assert_refused("NaNs", SIMT_ERROR_SYNTAX);
    assert_refused("infs", SIMT_ERROR_SYNTAX);
}

static void test_unit_names(void **state)
{
    (void)state;
    assert_true(simt_unit("ps", 2) == 1);
    assert_true(simt_unit("ns", 2) == 1000);
    assert_true(simt_unit("us", 2) == UINT64_C(1000000));
    assert_true(simt_unit("ms", 2) == UINT64_C(1000000000));
    assert_true(simt_unit("s", 1) == UINT64_C(1000000000000));
    /* Only the first len characters count, as when a unit is cut out of a
     * longer string. */
    assert_true(simt_unit("msec", 2) == SIM_MS);
    assert_true(simt_unit("msec", 4) == 0);
    assert_true(simt_unit("m", 1) == 0);
    assert_true(simt_unit("", 0) == 0);
}

/* ---- formatting -------------------------------------------------------------- */

static void test_format_examples(void **state)
{
    (void)state;
    assert_formats(0, "0ps");
    assert_formats(3, "3ps");
    assert_formats(999, "999ps");
    assert_formats(1000, "1ns");
    assert_formats(1500, "1.5ns");
    assert_formats(999999, "999.999ns");                      /* under 1 us */
    assert_formats(1001000, "1.001us");
    assert_formats(250 * SIM_US, "250us");
    assert_formats(UINT64_C(1500000000), "1.5ms");
    assert_formats(SIM_S, "1s");
    assert_formats(10 * SIM_S, "10s");
    assert_formats(3600 * SIM_S, "3600s");                    /* no minutes or hours */
    assert_formats(SIM_S + 1, "1.000000000001s");             /* exact, not rounded */
    assert_formats(SIM_S + SIM_MS, "1.001s");
    assert_formats(UINT64_C(12345678000), "12.345678ms");
    assert_formats(SIM_TIME_MAX, "18446744.073709551615s");   /* (2^64 - 1) ps */
}

/* ---- round trip ------------------------------------------------------------- */

static uint64_t mix(uint64_t *x)
{
    /* splitmix64, local: values for the round trip, independent of sim/rng.c */
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static void check_round_trip(sim_time_t t)
{
    char buf[SIMT_FMT_LEN];
    simt_format(t, buf, sizeof buf);
    assert_true(strlen(buf) < SIMT_FMT_LEN - 1);
    GError *err = NULL;
    sim_time_t back = 0;
    if (!simt_parse(buf, &back, &err))
        fail_msg("%" PRIu64 "ps formats as \"%s\", which does not parse: %s",
                 t, buf, err ? err->message : "?");
    if (back != t)
        fail_msg("%" PRIu64 "ps formats as \"%s\", which parses as %" PRIu64 "ps", t, buf, back);
}

static void test_format_parse_round_trip(void **state)
{
    (void)state;
    /* Every power of ten, and its neighbours: the places where the unit
     * changes and where trailing zeros are cut. */
    sim_time_t p = 1;
    for (int k = 0; k <= 19; k++, p *= 10) {
        check_round_trip(p);
        check_round_trip(p - 1);
        check_round_trip(p + 1);
        check_round_trip(p + p / 2);
    }
    /* Every power of two and its neighbours, up to the largest time. */
    for (int k = 0; k < 64; k++) {
        sim_time_t b = UINT64_C(1) << k;
        check_round_trip(b);
        check_round_trip(b - 1);
        check_round_trip(b + 1);
    }
    check_round_trip(SIM_TIME_MAX);
    check_round_trip(SIM_TIME_MAX - 1);
    /* 200000 pseudo-random values spread over every magnitude. */
    uint64_t x = 1;
    for (int i = 0; i < 200000; i++) {
        uint64_t v = mix(&x);
        check_round_trip(v >> (mix(&x) % 64));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_examples),
        cmocka_unit_test(test_parse_down_to_the_picosecond),
        cmocka_unit_test(test_parse_largest_time),
        cmocka_unit_test(test_parse_requires_a_unit),
        cmocka_unit_test(test_parse_refuses_unknown_units),
        cmocka_unit_test(test_parse_refuses_finer_than_a_picosecond),
        cmocka_unit_test(test_parse_refuses_overflow),
        cmocka_unit_test(test_parse_refuses_garbage),
        cmocka_unit_test(test_unit_names),
        cmocka_unit_test(test_format_examples),
        cmocka_unit_test(test_format_parse_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
