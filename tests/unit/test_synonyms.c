/* test_synonyms.c - synonym files (loading, their errors) and the expansion
 * of a query tree (synonyms.h).  Trees are shown as explain shows them
 * (idx_qtree_json, compact, ' for "), as in test_qparse.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "synonyms.h"
#include "test.h"
#include "test_json.h"

static char path[64];
static char out[4096];

/* Write text to a new synonym file (path) and load it; NULL on failure. */
static idx_synonyms *load(const char *text)
{
    if (t_temp_file(path, text) != 0) return NULL;
    idx_synonyms *syn = NULL;
    idx_err err;
    idx_err_clear(&err);
    if (idx_synonyms_load(path, &syn, &err) != IDX_OK) fprintf(stderr, "  load: %s\n", err.msg);
    remove(path);
    return syn;
}

/* q parsed (t2s folding on) and expanded with syn: the tree, or "ERROR code". */
static const char *expanded(const char *q, size_t n, const idx_synonyms *syn, size_t *nparts,
                            size_t *ntoks)
{
    idx_qtree t;
    idx_err err;
    idx_err_clear(&err);
    int rc = idx_qtree_parse(q, n, IDX_TOKENIZE_FOLD_T2S, &t, &err);
    if (!rc) rc = idx_synonyms_expand(&t, syn, &err);
    if (rc) {
        snprintf(out, sizeof out, "ERROR %d", rc);
    } else {
        json_t *j = idx_qtree_json(&t, t.root);
        t_json(j, out, sizeof out);
        json_decref(j);
        if (nparts) *nparts = t.nparts;
        if (ntoks) *ntoks = t.ntoks;
    }
    idx_qtree_fini(&t);
    return out;
}

static void test_part_becomes_or_of_its_group(void)
{
    idx_synonyms *syn = load("# comment\n新冠 新型冠状病毒 COVID-19\n\n台湾 宝岛\n");
    CHECK(syn != NULL);
    CHECK_INT(syn ? syn->ngroups : 0, 2);
    size_t nparts = 0;
    const char *q = "新冠 疫苗 -臺灣";
    CHECK_STR(expanded(q, strlen(q), syn, &nparts, NULL),
              "{'type':'and','children':[{'type':'or','children':["
              "{'type':'text','field':'any','terms':['新冠']},"
              "{'type':'text','field':'any','terms':['新型','型冠','冠状','状病','病毒']},"
              "{'type':'text','field':'any','terms':['covid','19']}]},"
              "{'type':'text','field':'any','terms':['疫苗']},"
              "{'type':'not','children':[{'type':'or','children':["
              "{'type':'text','field':'any','terms':['台湾']},"
              "{'type':'text','field':'any','terms':['宝岛']}]}]}]}");
    CHECK_INT(nparts, 4); /* the three members and 疫苗: negated ones are not marked */
    idx_synonyms_free(syn);
}

/* A quoted phrase of pieces is its joined run: "新 冠" is the member 新冠. */
static void test_quoted_pieces_match_a_member(void)
{
    idx_synonyms *syn = load("新冠 新型冠状病毒 COVID-19\n");
    const char *q = "\"新 冠\" 疫苗";
    CHECK_STR(expanded(q, strlen(q), syn, NULL, NULL),
              "{'type':'and','children':[{'type':'or','children':["
              "{'type':'text','field':'any','terms':['新冠']},"
              "{'type':'text','field':'any','terms':['新型','型冠','冠状','状病','病毒']},"
              "{'type':'text','field':'any','terms':['covid','19']}]},"
              "{'type':'text','field':'any','terms':['疫苗']}]}");
    idx_synonyms_free(syn);
}

/* A key in two groups gets both; spellings that fold alike count once. */
static void test_two_groups_and_folded_twins(void)
{
    idx_synonyms *syn = load("经济 economy\n经济 发展\n台湾 臺灣 台灣 宝岛\n");
    const char *q = "经济 台湾";
    CHECK_STR(expanded(q, strlen(q), syn, NULL, NULL),
              "{'type':'and','children':[{'type':'or','children':["
              "{'type':'text','field':'any','terms':['经济']},"
              "{'type':'text','field':'any','terms':['economy']},"
              "{'type':'text','field':'any','terms':['发展']}]},"
              "{'type':'or','children':[{'type':'text','field':'any','terms':['台湾']},"
              "{'type':'text','field':'any','terms':['宝岛']}]}]}");
    idx_synonyms_free(syn);
}

/* Expansion past IDX_QUERY_MAX_TERMS is skipped, not an error: 255 tokens
 * leave room for economy but not for 发展, and the part stays as it was. */
static void test_expansion_past_term_limit_skipped(void)
{
    idx_synonyms *syn = load("经济 economy\n经济 发展\n");
    idx_buf big;
    idx_buf_init(&big);
    for (int i = 0; i < 254; i++) idx_buf_printf(&big, "w%d ", i);
    idx_buf_printf(&big, "经济");
    size_t ntoks = 0;
    CHECK(strncmp(expanded(big.data, big.len, syn, NULL, &ntoks), "ERROR", 5) != 0);
    CHECK(strstr(out, "economy") == NULL);
    CHECK_INT(ntoks, 255);
    idx_buf_fini(&big);
    idx_synonyms_free(syn);
}

static void test_no_synonyms_no_change(void)
{
    CHECK_STR(expanded("经济", strlen("经济"), NULL, NULL, NULL),
              "{'type':'text','field':'any','terms':['经济']}");
}

static void test_load_errors_name_file_and_line(void)
{
    CHECK(t_temp_file(path, "新冠 新型冠状病毒\nlonely\n") == 0);
    idx_synonyms *syn = NULL;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_synonyms_load(path, &syn, &err), IDX_EINVAL);
    char want[80];
    snprintf(want, sizeof want, "%s:2:", path);
    CHECK(strstr(err.msg, want) != NULL);
    CHECK(syn == NULL);
    remove(path);
    idx_err_clear(&err);
    CHECK_INT(idx_synonyms_load("/nonexistent/syn.txt", &syn, &err), IDX_EIO);
}

int main(void)
{
    TEST(test_part_becomes_or_of_its_group);
    TEST(test_quoted_pieces_match_a_member);
    TEST(test_two_groups_and_folded_twins);
    TEST(test_expansion_past_term_limit_skipped);
    TEST(test_no_synonyms_no_change);
    TEST(test_load_errors_name_file_and_line);
    TEST_SUMMARY();
}
