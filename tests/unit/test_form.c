/* test_form.c - strict query-string decoding (form.h). */
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "test.h"
#include "utf8.h"

static int parse(const char *s, idx_form *f, idx_err *e)
{
    idx_err_clear(e);
    return idx_form_parse(s, strlen(s), f, e);
}

static void test_decodes_values(void)
{
    idx_form f;
    idx_err e;
    CHECK_INT(parse("q=%E5%8D%97%E9%80%9A+5G&limit=10&&empty=&flag", &f, &e), IDX_OK);
    CHECK_STR(idx_form_get(&f, "q", NULL), "南通 5G");
    CHECK_STR(idx_form_get(&f, "limit", NULL), "10");
    CHECK_STR(idx_form_get(&f, "empty", NULL), "");
    CHECK_STR(idx_form_get(&f, "flag", NULL), "");
    CHECK(idx_form_get(&f, "missing", NULL) == NULL);
    idx_form_fini(&f);
    CHECK_INT(parse("", &f, &e), IDX_OK);
    CHECK_INT(f.n, 0);
    idx_form_fini(&f);
}

static void test_rejects_bad_input(void)
{
    idx_form f;
    idx_err e;
    CHECK_INT(parse("q=%FF", &f, &e), IDX_EUTF8);
    CHECK(strstr(e.msg, "parameter 'q'") != NULL);
    idx_form_fini(&f);
    CHECK_INT(parse("q=a%00b", &f, &e), IDX_EINVAL);
    CHECK(strstr(e.msg, "%00") != NULL);
    idx_form_fini(&f);
    CHECK_INT(parse("q=%4", &f, &e), IDX_EINVAL);
    idx_form_fini(&f);
    CHECK_INT(parse("q=%zz", &f, &e), IDX_EINVAL);
    idx_form_fini(&f);
    CHECK_INT(parse("q=1&q=2", &f, &e), IDX_EINVAL);
    CHECK(strstr(e.msg, "more than once") != NULL);
    idx_form_fini(&f);
    char many[400] = "";
    for (int i = 0; i < 40; i++) sprintf(many + strlen(many), "p%d=1&", i);
    CHECK_INT(parse(many, &f, &e), IDX_ETOOBIG);
    idx_form_fini(&f);
}

static void test_path_decode(void)
{
    char *out = NULL;
    size_t n = 0;
    idx_err e;
    idx_err_clear(&e);
    CHECK_INT(idx_url_decode("a+b%2Fc", 7, "id", &out, &n, &e), IDX_OK);
    CHECK_STR(out, "a+b/c");
    CHECK_INT(n, 5);
    free(out);
    CHECK_INT(idx_url_decode("%C0%80", 6, "id", &out, &n, &e), IDX_EUTF8);
}

/* Random byte strings never crash the parser; whatever it accepts is valid
 * UTF-8 without NUL bytes. */
static void test_random_bytes(void)
{
    static const char alphabet[] = "%=&+aZ09\xff\xc3\xa9\x80";
    unsigned seed = 7;
    int bad = 0;
    for (int iter = 0; iter < 5000; iter++) {
        char s[64];
        size_t n = (size_t)(rand_r(&seed) % sizeof s);
        for (size_t i = 0; i < n; i++) s[i] = alphabet[rand_r(&seed) % (sizeof alphabet - 1)];
        idx_form f;
        idx_err e;
        idx_err_clear(&e);
        if (idx_form_parse(s, n, &f, &e) == IDX_OK) {
            for (size_t i = 0; i < f.n; i++) {
                if (!idx_utf8_valid(f.p[i].value, f.p[i].value_len, NULL) ||
                    strlen(f.p[i].value) != f.p[i].value_len ||
                    strlen(f.p[i].name) != f.p[i].name_len)
                    bad++;
            }
        } else if (!e.msg[0]) {
            bad++; /* every failure says why */
        }
        idx_form_fini(&f);
    }
    CHECK_INT(bad, 0);
}

int main(void)
{
    TEST(test_decodes_values);
    TEST(test_rejects_bad_input);
    TEST(test_path_decode);
    TEST(test_random_bytes);
    TEST_SUMMARY();
}
