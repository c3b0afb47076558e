/* tests/test_cache.c: one cache level (model/cache.h): replacement orders
 * worked out by hand, way masks, configuration errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "model/cache.h"

/* One set of four 16-byte lines: every line address maps to set 0. */
static void make(hwcache *c, hwcache_policy p, uint64_t seed)
{
    hwcache_config cfg = { .size = 64, .ways = 4, .line = 16, .hit_cycles = 1, .policy = p, .write_back = true };
    simrng r;
    simrng_init(&r, seed, "test");
    GError *err = NULL;
    if (!hwcache_init(c, &cfg, &r, "t", &err))
        fail_msg("init: %s", err->message);
}

/* Access line `la` as a memory system would: touch on a hit, fill on a
 * miss; returns the line evicted (or UINT64_MAX). */
static uint64_t touch_line(hwcache *c, uint64_t la)
{
    hwcache_line *l = hwcache_find(c, la);
    if (l) {
        hwcache_touch(c, l);
        return UINT64_MAX;
    }
    hwcache_victim v;
    hwcache_fill(c, la, HWCACHE_EXCLUSIVE, 0, &v);
    assert_true(hwcache_verify(c));
    return v.state == HWCACHE_INVALID ? UINT64_MAX : v.line_addr;
}

enum { A = 1, B, C, D, E, F };

static void test_lru_order(void **state)
{
    (void)state;
    hwcache c;
    make(&c, HWCACHE_LRU, 1);
    /* A B C D fill the four ways; touching A makes B the least recently
     * used, so E evicts B; touching C then leaves D oldest, so F evicts D. */
    for (uint64_t x = A; x <= D; x++)
        assert_true(touch_line(&c, x) == UINT64_MAX);
    touch_line(&c, A);
    assert_int_equal(touch_line(&c, E), B);
    touch_line(&c, C);
    assert_int_equal(touch_line(&c, F), D);
    hwcache_free(&c);
}

static void test_pseudo_lru_order(void **state)
{
    (void)state;
    hwcache c;
    make(&c, HWCACHE_PLRU, 1);
    /* Tree of three bits: root b1 over (ways 0,1 | ways 2,3), b2 over 0|1,
     * b3 over 2|3; 0 = victim on the left.  An access points every bit on
     * its path away from the accessed way.
     *  fill A -> way 0: b2=1 b1=1     fill B -> way 1: b2=0 b1=1
     *  fill C -> way 2: b3=1 b1=0     fill D -> way 3: b3=0 b1=0
     *  touch A (way 0): b2=1 b1=1
     *  victim: b1=1 -> right, b3=0 -> left: way 2 = C  (true LRU: B)
     *  fill E -> way 2: b3=1 b1=0; victim: b1=0 -> left, b2=1 -> right:
     *  way 1 = B. */
    for (uint64_t x = A; x <= D; x++)
        touch_line(&c, x);
    touch_line(&c, A);
    assert_int_equal(touch_line(&c, E), C);
    assert_int_equal(touch_line(&c, F), B);
    hwcache_free(&c);
}

static void test_fifo_order(void **state)
{
    (void)state;
    hwcache c;
    make(&c, HWCACHE_FIFO, 1);
    /* first in, first out, whatever was touched since: A then B go first */
    for (uint64_t x = A; x <= D; x++)
        touch_line(&c, x);
    touch_line(&c, A);
    assert_int_equal(touch_line(&c, E), A);
    assert_int_equal(touch_line(&c, F), B);
    hwcache_free(&c);
}

static void victims(hwcache_policy p, uint64_t seed, uint64_t *out, int n)
{
    hwcache c;
    make(&c, p, seed);
    for (int i = 0; i < n; i++)
        out[i] = touch_line(&c, (uint64_t)i + 1);
    hwcache_free(&c);
}

static void test_random_is_seeded(void **state)
{
    (void)state;
    /* 200 distinct lines through 4 ways: 196 evictions, each a draw from
     * the named stream.  Same seed, same victims; another seed, others
     * (the chance that 196 uniform draws of 4 all agree is 4^-196). */
    uint64_t a[200], b[200], c[200];
    victims(HWCACHE_RANDOM, 7, a, 200);
    victims(HWCACHE_RANDOM, 7, b, 200);
    victims(HWCACHE_RANDOM, 8, c, 200);
    assert_memory_equal(a, b, sizeof a);
    assert_memory_not_equal(a, c, sizeof a);
}

static void test_way_mask(void **state)
{
    (void)state;
    hwcache c;
    make(&c, HWCACHE_LRU, 1);
    /* fills restricted to ways 2 and 3 never touch ways 0 and 1, whose
     * lines (A, B) survive any number of other fills */
    hwcache_victim v;
    hwcache_fill(&c, A, HWCACHE_EXCLUSIVE, 0x1, &v);
    hwcache_fill(&c, B, HWCACHE_EXCLUSIVE, 0x2, &v);
    for (uint64_t x = 10; x < 30; x++) {
        hwcache_fill(&c, x, HWCACHE_EXCLUSIVE, 0xC, &v);
        assert_true(v.state == HWCACHE_INVALID || (v.line_addr != A && v.line_addr != B));
    }
    assert_non_null(hwcache_find(&c, A));
    assert_non_null(hwcache_find(&c, B));
    assert_true(hwcache_verify(&c));
    hwcache_free(&c);
}

static void test_dirty_victim_and_write_through(void **state)
{
    (void)state;
    hwcache c;
    make(&c, HWCACHE_LRU, 1);
    hwcache_victim v;
    hwcache_fill(&c, A, HWCACHE_MODIFIED, 0, &v);
    for (uint64_t x = B; x <= D; x++)
        hwcache_fill(&c, x, HWCACHE_EXCLUSIVE, 0, &v);
    hwcache_fill(&c, E, HWCACHE_EXCLUSIVE, 0, &v);   /* A is oldest: out, dirty */
    assert_int_equal(v.line_addr, A);
    assert_int_equal(v.state, HWCACHE_MODIFIED);
    hwcache_free(&c);

    /* a write-through cache never holds a dirty line */
    hwcache_config cfg = { .size = 64, .ways = 4, .line = 16, .hit_cycles = 1, .policy = HWCACHE_LRU, .write_back = false };
    assert_true(hwcache_init(&c, &cfg, NULL, "wt", NULL));
    hwcache_line *l = hwcache_fill(&c, A, HWCACHE_MODIFIED, 0, &v);
    assert_int_equal(l->state, HWCACHE_EXCLUSIVE);
    hwcache_free(&c);
}

static void test_geometry(void **state)
{
    (void)state;
    /* 32 KiB, 4 ways, 32-byte lines: 32768 / (4 * 32) = 256 sets; a line
     * address's low 8 bits pick the set */
    hwcache c;
    hwcache_config cfg = { .size = 32768, .ways = 4, .line = 32, .hit_cycles = 4, .policy = HWCACHE_PLRU, .write_back = true };
    assert_true(hwcache_init(&c, &cfg, NULL, "l1d", NULL));
    assert_int_equal(c.sets, 256);
    assert_int_equal(hwcache_line_addr(&c, 0x12345), 0x12345 >> 5);
    assert_int_equal(hwcache_set_of(&c, 0x91A), 0x1A);
    hwcache_free(&c);
}

static void test_config_errors(void **state)
{
    (void)state;
    static const struct { hwcache_config cfg; const char *want; } v[] = {
        { { 3 * 4096, 4, 64, 1, HWCACHE_LRU, true }, "l2.size: 12288 bytes gives 48 sets, not a power of two" },
        { { 4096, 4, 48, 1, HWCACHE_LRU, true }, "l2.line: 48 is not a power of two" },
        { { 4096, 0, 64, 1, HWCACHE_LRU, true }, "l2.ways: 0 is not between 1 and 64" },
        { { 6 * 64 * 4, 6, 64, 1, HWCACHE_PLRU, true }, "l2.replacement: pseudo-lru needs a power-of-two number of ways" },
        { { 1000, 4, 64, 1, HWCACHE_LRU, true }, "l2.size: 1000 bytes is not a whole number of sets" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(v); i++) {
        GError *err = NULL;
        assert_false(hwcache_config_check(&v[i].cfg, "l2", &err));
        if (!g_str_has_prefix(err->message, v[i].want))
            fail_msg("case %zu: '%s' should start with '%s'", i, err->message, v[i].want);
        g_error_free(err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lru_order),
        cmocka_unit_test(test_pseudo_lru_order),
        cmocka_unit_test(test_fifo_order),
        cmocka_unit_test(test_random_is_seeded),
        cmocka_unit_test(test_way_mask),
        cmocka_unit_test(test_dirty_victim_and_write_through),
        cmocka_unit_test(test_geometry),
        cmocka_unit_test(test_config_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
