/* test.h - a tiny unit-test harness (after Redis's testhelp.h).
 *
 * A test is a function `static void test_name(void)` registered with
 * TEST(test_name) in main's RUN list.  CHECK(cond) and the CHECK_* helpers
 * record a failure with file:line and carry on; a test passes if it recorded
 * none.  TEST_MAIN prints one "ok"/"FAIL" line per test and a final
 * "#summary PASSED FAILED" line that tests/run.sh adds up.
 */
#ifndef IDX_TEST_H
#define IDX_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int t_failed_checks;
static int t_passed, t_failed;

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, \
                    #cond);                                                    \
            t_failed_checks++;                                                 \
        }                                                                      \
    } while (0)

#define CHECK_INT(a, b)                                                            \
    do {                                                                           \
        long long _a = (long long)(a), _b = (long long)(b);                        \
        if (_a != _b) {                                                            \
            fprintf(stderr, "  %s:%d: %s == %lld, want %lld\n", __FILE__, __LINE__, \
                    #a, _a, _b);                                                   \
            t_failed_checks++;                                                     \
        }                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                              \
    do {                                                                             \
        const char *_a = (a), *_b = (b);                                             \
        if (!_a || !_b || strcmp(_a, _b) != 0) {                                     \
            fprintf(stderr, "  %s:%d: %s\n      got:  %s\n      want: %s\n", __FILE__, \
                    __LINE__, #a, _a ? _a : "(null)", _b ? _b : "(null)");           \
            t_failed_checks++;                                                       \
        }                                                                            \
    } while (0)

/* Write text to a new file /tmp/idx-test-XXXXXX, its name put in path;
 * 0, or -1 (nothing left behind).  The caller removes it. */
static inline int t_temp_file(char path[32], const char *text)
{
    snprintf(path, 32, "/tmp/idx-test-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    FILE *f = fdopen(fd, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        if (!f) close(fd);
        remove(path);
        return -1;
    }
    return 0;
}

#define TEST(fn)                                     \
    do {                                             \
        t_failed_checks = 0;                         \
        fn();                                        \
        if (t_failed_checks) {                       \
            printf("FAIL %s\n", #fn);                \
            t_failed++;                              \
        } else {                                     \
            printf("ok   %s\n", #fn);                \
            t_passed++;                              \
        }                                            \
        fflush(stdout);                              \
    } while (0)

#define TEST_SUMMARY()                                   \
    do {                                                 \
        printf("#summary %d %d\n", t_passed, t_failed);  \
        return t_failed ? 1 : 0;                         \
    } while (0)

#endif
