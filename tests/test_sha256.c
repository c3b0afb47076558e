/* tests/test_sha256.c: SHA-256 (sim/sha256.h), portable and hardware paths.
 * Expected digests: the examples of FIPS 180-4 (NIST CSRC "Example
 * Algorithms": SHA256.pdf, and the one-million-'a' vector of FIPS 180-2
 * appendix B.3), and GLib's independent GChecksum for everything else. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "sim/sha256.h"

static void digest_hex(bool hw, const void *data, size_t len, size_t split, char out[65])
{
    simsha256 c;
    if (hw)
        simsha256_init(&c);
    else
        simsha256_init_portable(&c);
    /* feed in pieces of `split` bytes (0: all at once) */
    const unsigned char *p = data;
    if (split == 0)
        split = len ? len : 1;
    for (size_t off = 0; off < len; off += split)
        simsha256_update(&c, p + off, len - off < split ? len - off : split);
    unsigned char d[32];
    simsha256_final(&c, d);
    for (int i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

static void test_fips_vectors(void **state)
{
    (void)state;
    static const struct { const char *msg; const char *hex; } v[] = {
        { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
        { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
    };
    for (int hw = 0; hw < 2; hw++)
        for (size_t i = 0; i < G_N_ELEMENTS(v); i++) {
            char out[65];
            digest_hex(hw, v[i].msg, strlen(v[i].msg), 0, out);
            assert_string_equal(out, v[i].hex);
            digest_hex(hw, v[i].msg, strlen(v[i].msg), 1, out);
            assert_string_equal(out, v[i].hex);
        }
}

static void test_million_a(void **state)
{
    (void)state;
    char *a = g_malloc(1000000);
    memset(a, 'a', 1000000);
    for (int hw = 0; hw < 2; hw++) {
        char out[65];
        digest_hex(hw, a, 1000000, 4093, out);
        assert_string_equal(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }
    g_free(a);
}

static void test_against_gchecksum(void **state)
{
    (void)state;
    /* every length from 0 to 300 (all the padding cases around 55/56/64
     * bytes and several blocks), with pseudo-random content and several
     * ways of splitting the input */
    unsigned char buf[300];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (unsigned char)(x >> 16);
    }
    static const size_t splits[] = { 0, 1, 7, 63, 64, 65 };
    for (size_t len = 0; len <= sizeof buf; len++) {
        g_autofree char *want = g_compute_checksum_for_data(G_CHECKSUM_SHA256, buf, len);
        for (int hw = 0; hw < 2; hw++)
            for (size_t s = 0; s < G_N_ELEMENTS(splits); s++) {
                char out[65];
                digest_hex(hw, buf, len, splits[s], out);
                if (strcmp(out, want) != 0)
                    fail_msg("length %zu, %s path, split %zu: %s, GChecksum %s", len,
                             hw ? "default" : "portable", splits[s], out, want);
            }
    }
    print_message("hardware SHA-256 on this host: %s\n", simsha256_hardware() ? "yes" : "no");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fips_vectors),
        cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_against_gchecksum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
