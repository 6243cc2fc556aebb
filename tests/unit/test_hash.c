/* test_hash.c - the one hash and the one map (hash.h): FNV-1a against the
 * published test vectors (and the stored values that depend on the seeds),
 * map lookups across growth, key 0, one-byte values, and the multimap walk
 * against a plain array as the reference. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "test.h"

static void test_fnv_vectors(void)
{
    /* FNV-1a 32, offset basis 2166136261 (Fowler, Noll, Vo test suite) */
    CHECK_INT(idx_hash32(IDX_HASH32_SEED, "", 0), 0x811c9dc5u);
    CHECK_INT(idx_hash32(IDX_HASH32_SEED, "a", 1), 0xe40c292cu);
    CHECK_INT(idx_hash32(IDX_HASH32_SEED, "foobar", 6), 0xbf9cf968u);
    /* 64-bit with the standard basis gives the published vector ... */
    CHECK(idx_hash(14695981039346656037ull, "a", 1) == 0xaf63dc4c8601ec8cull);
    CHECK(idx_hash(14695981039346656037ull, "foobar", 6) == 0x85944171f73967e8ull);
    /* ... and idx's stored seed its own: computed by hand, byte by byte */
    uint64_t h = IDX_HASH_SEED;
    h = (h ^ 'a') * 1099511628211ull;
    CHECK(idx_hash(IDX_HASH_SEED, "a", 1) == h);
    /* going on from h = hashing the concatenation */
    CHECK(idx_hash(idx_hash(IDX_HASH_SEED, "foo", 3), "bar", 3) ==
          idx_hash(IDX_HASH_SEED, "foobar", 6));
    CHECK(idx_hash_unit(IDX_HASH_SEED, 0x5357) == ((IDX_HASH_SEED ^ 0x5357) * IDX_HASH_PRIME));
}

static void test_map_put_get(void)
{
    idx_map m;
    idx_map_init(&m, sizeof(uint32_t));
    CHECK(idx_map_get(&m, 42) == NULL);
    for (uint32_t i = 0; i < 5000; i++) { /* across many doublings */
        int added = 0;
        uint32_t *v = idx_map_put(&m, idx_hash(IDX_HASH_SEED, &i, sizeof i), &added);
        CHECK(v && added && *v == 0);
        if (v) *v = i + 1;
    }
    CHECK_INT(m.used, 5000);
    CHECK(m.used * 2 <= m.cap);
    int bad = 0;
    for (uint32_t i = 0; i < 5000; i++) {
        uint32_t *v = idx_map_get(&m, idx_hash(IDX_HASH_SEED, &i, sizeof i));
        if (!v || *v != i + 1) bad++;
        int added = 1;
        if (idx_map_put(&m, idx_hash(IDX_HASH_SEED, &i, sizeof i), &added) != v || added) bad++;
    }
    CHECK_INT(bad, 0);
    CHECK_INT(m.used, 5000);
    uint32_t absent = 999999;
    CHECK(idx_map_get(&m, idx_hash(IDX_HASH_SEED, &absent, sizeof absent)) == NULL);
    idx_map_fini(&m);
    CHECK(m.cap == 0 && m.used == 0 && idx_map_get(&m, 1) == NULL);
}

static void test_map_key_zero_and_bytes(void)
{
    idx_map m;
    idx_map_init(&m, 1);
    unsigned char *z = idx_map_put(&m, 0, NULL);
    CHECK(z != NULL);
    if (z) *z = 7;
    unsigned char *one = idx_map_get(&m, 1); /* documented: 0 is taken as 1 */
    CHECK(one && *one == 7);
    for (uint64_t k = 2; k < 300; k++) {
        unsigned char *v = idx_map_put(&m, k << 40, NULL); /* keys alike in their low bits */
        if (v) *v = (unsigned char)k;
    }
    int bad = 0;
    for (uint64_t k = 2; k < 300; k++) {
        unsigned char *v = idx_map_get(&m, k << 40);
        if (!v || *v != (unsigned char)k) bad++;
    }
    CHECK_INT(bad, 0);
    idx_map_fini(&m);
}

static void test_multimap_walk(void)
{
    idx_map m;
    idx_map_init(&m, sizeof(int));
    /* 3 keys, each added several times, interleaved, with many others between */
    for (int round = 0; round < 4; round++)
        for (uint64_t k = 1; k <= 200; k++) {
            if (round > 0 && k > 3) continue;
            int *v = idx_map_add(&m, k);
            if (v) *v = (int)(k * 100 + round);
        }
    for (uint64_t k = 1; k <= 3; k++) {
        int seen[4] = {0};
        size_t it = 0, n = 0;
        for (int *v; (v = idx_map_next(&m, k, &it));) {
            n++;
            CHECK(*v / 100 == (int)k);
            if (*v / 100 == (int)k && *v % 100 < 4) seen[*v % 100]++;
        }
        CHECK_INT(n, 4);
        CHECK(seen[0] == 1 && seen[1] == 1 && seen[2] == 1 && seen[3] == 1);
        int *one = idx_map_get(&m, k);
        CHECK(one && *one / 100 == (int)k);
    }
    size_t it = 0;
    CHECK(idx_map_next(&m, 12345, &it) == NULL);
    CHECK(idx_map_next(&m, 12345, &it) == NULL); /* stays done */
    idx_map_fini(&m);
}

static void test_map_remove(void)
{
    /* against a plain array: random adds and removes of keys that crowd few
     * slots (runs wrap around the table's end), every lookup checked */
    enum { N = 3000 };
    static int live[N];
    memset(live, 0, sizeof live);
    idx_map m;
    idx_map_init(&m, sizeof(int));
    unsigned r = 12345;
    int bad = 0;
    for (int step = 0; step < 40000; step++) {
        r = r * 1103515245u + 12345u;
        int k = (int)((r >> 8) % N);
        uint64_t key = (uint64_t)k * 0x10000000000ull + 1; /* alike low bits */
        int *v = idx_map_get(&m, key);
        if (!!v != live[k]) bad++;
        if (v && *v != k) bad++;
        if (v && (r & 0x10000)) {
            idx_map_remove(&m, v);
            live[k] = 0;
        } else if (!v) {
            v = idx_map_add(&m, key);
            if (v) *v = k, live[k] = 1;
        }
    }
    size_t n = 0;
    for (int k = 0; k < N; k++) {
        int *v = idx_map_get(&m, (uint64_t)k * 0x10000000000ull + 1);
        if (!!v != live[k] || (v && *v != k)) bad++;
        n += (size_t)live[k];
    }
    CHECK_INT(bad, 0);
    CHECK_INT(m.used, n);
    /* a multimap entry removed by its value: the other stays */
    int *a = idx_map_add(&m, 7), *b;
    if (a) *a = 1;
    b = idx_map_add(&m, 7);
    if (b) *b = 2;
    size_t it = 0;
    int *first = idx_map_next(&m, 7, &it);
    CHECK(first != NULL);
    if (first) idx_map_remove(&m, first);
    int *left = idx_map_get(&m, 7);
    CHECK(left && (*left == 1 || *left == 2));
    it = 0;
    idx_map_next(&m, 7, &it);
    CHECK(idx_map_next(&m, 7, &it) == NULL);
    idx_map_fini(&m);
}

int main(void)
{
    TEST(test_fnv_vectors);
    TEST(test_map_put_get);
    TEST(test_map_key_zero_and_bytes);
    TEST(test_multimap_walk);
    TEST(test_map_remove);
    TEST_SUMMARY();
}
