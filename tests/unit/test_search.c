/* test_search.c - search assembly (search.h): a request -> the response
 * JSON, on a small real database built in a temporary directory through the
 * real write path (writer.h, as idx add builds one).
 * No mocks: the query is parsed, expanded, built and run by Xapian, and the
 * hits are read back, highlighted and counted as idx search and idxd do.
 *
 * Responses are compared whole, compact, with ' for ", less what is not
 * ours to pin: "took_ms" and each hit's BM25 "score" (their order is pinned
 * through "rank").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "search.h"
#include "synonyms.h"
#include "test.h"
#include "test_json.h"
#include "test_db.h"

static char out[16384];

static const char *const articles[] = {
    "{\"id\":\"a1\",\"title\":\"南通开发区招商引资\",\"body\":\"江苏南通开发区今年招商引资成果显著，"
    "全年新增外资项目三十个，总投资超过五十亿元。经济发展迅速。\",\"date\":\"2022-05-18\",\"source\":\"新华社\",\"category\":\"经济\"}",
    "{\"id\":\"a2\",\"title\":\"疫情防控常态化\",\"body\":\"新冠疫苗接种工作有序推进。南通市疫情平稳。\","
    "\"date\":\"2022-03-01\",\"source\":\"人民日报\",\"category\":\"国内\"}",
    "{\"id\":\"a3\",\"title\":\"台湾经济观察\",\"body\":\"宝岛经济今年增长。\",\"date\":\"2021-12-31\","
    "\"source\":\"新华社\",\"category\":\"国际\"}",
    "{\"id\":\"a4\",\"title\":\"经济周报\",\"body\":\"本周经济数据发布。\",\"date\":\"2022-06-30\","
    "\"source\":\"人民日报\",\"category\":\"经济\"}",
    /* a reprint of a1: the same story, clustered with it */
    "{\"id\":\"a5\",\"title\":\"南通开发区招商引资\",\"body\":\"江苏南通开发区今年招商引资成果显著，"
    "全年新增外资项目三十个，总投资超过五十亿元。经济发展迅速。\",\"date\":\"2022-05-19\",\"source\":\"江苏日报\",\"category\":\"经济\"}",
};

/* The database, written as idx add writes one (test_db.h). */
static t_db tdb;

/* The response to req (q from the string) less took_ms and scores; NULL
 * with *rc set on an error. */
static json_t *respond(idx_search_req req, const char *q, int *rc)
{
    req.q = q;
    req.qlen = strlen(q);
    json_t *res = NULL;
    idx_err err;
    idx_err_clear(&err);
    if ((*rc = idx_search_json(tdb.db, &tdb.schema, &req, &res, &err))) return NULL;
    json_object_del(res, "took_ms");
    size_t i;
    json_t *hit;
    json_array_foreach(json_object_get(res, "hits"), i, hit) json_object_del(hit, "score");
    return res;
}

/* res compact, with ' for " (res is released); "ERROR code" for rc. */
static const char *dump(json_t *res, int rc)
{
    if (rc) {
        snprintf(out, sizeof out, "ERROR %d", rc);
        return out;
    }
    t_json(res, out, sizeof out);
    json_decref(res);
    return out;
}

static const char *search(idx_search_req req, const char *q)
{
    int rc;
    json_t *res = respond(req, q, &rc);
    return dump(res, rc);
}

/* What both programs ask by default: a page of 10, snippets, title boost. */
static const idx_search_req page = {.limit = 10, .title_weight = -1, .snippets = 1};

static void test_hits_with_highlights(void)
{
    CHECK_STR(search(page, "南通开发区"),
              "{'query':'南通开发区','total':1,'total_exact':true,'offset':0,'limit':10,'revision':1,"
              "'hits':[{'id':'a1','title':'南通开发区招商引资','url':null,'date':'2022-05-18',"
              "'source':'新华社','category':'经济',"
              "'title_html':'<mark>南通开发区</mark>招商引资',"
              "'snippet':'江苏<mark>南通开发区</mark>今年招商引资成果显著，全年新增外资项目三十个，"
              "总投资超过五十亿元。经济发展迅速。','rank':1,'revision':1,'duplicates':1,'duplicate_ids':['a5']}]}");
}

/* Title matches rank first; the offset pages on through the same ranks; a
 * reprint is folded into its best-ranked copy (duplicates, duplicate_ids)
 * and counts once. */
static void test_ranks_and_paging(void)
{
    idx_search_req r = page;
    r.snippets = 0;
    CHECK_STR(search(r, "经济"),
              "{'query':'经济','total':3,'total_exact':true,'offset':0,'limit':10,'revision':1,'hits':["
              "{'id':'a3','title':'台湾经济观察','url':null,'date':'2021-12-31','source':'新华社',"
              "'category':'国际','rank':1,'revision':1},"
              "{'id':'a4','title':'经济周报','url':null,'date':'2022-06-30','source':'人民日报',"
              "'category':'经济','rank':2,'revision':1},"
              "{'id':'a1','title':'南通开发区招商引资','url':null,'date':'2022-05-18',"
              "'source':'新华社','category':'经济','rank':3,'revision':1,'duplicates':1,'duplicate_ids':['a5']}]}");
    r.offset = 1;
    r.limit = 1;
    CHECK_STR(search(r, "经济"),
              "{'query':'经济','total':3,'total_exact':true,'offset':1,'limit':1,'revision':1,'hits':["
              "{'id':'a4','title':'经济周报','url':null,'date':'2022-06-30','source':'人民日报',"
              "'category':'经济','rank':2,'revision':1}]}");
}

/* Filters select, sorts order by date, facets count the whole result. */
static void test_filters_sort_facets(void)
{
    idx_search_req r = page;
    r.snippets = 0;
    r.sort = IDX_SORT_DATE_DESC;
    r.filters = (idx_filters){.source = "新华社"};
    r.facets = 1u << IDX_FACET_YEAR | 1u << IDX_FACET_CATEGORY;
    CHECK_STR(search(r, "经济 OR 南通"),
              "{'query':'经济 OR 南通','total':2,'total_exact':true,'offset':0,'limit':10,'revision':1,"
              "'hits':[{'id':'a1','title':'南通开发区招商引资','url':null,'date':'2022-05-18',"
              "'source':'新华社','category':'经济','rank':1,'revision':1},"
              "{'id':'a3','title':'台湾经济观察','url':null,'date':'2021-12-31','source':'新华社',"
              "'category':'国际','rank':2,'revision':1}],"
              "'facets':{'category':{'国际':1,'经济':1},'year':{'2021':1,'2022':1}}}");
    r.filters = (idx_filters){.from = "2022-01-01", .to = "2022-05-18"};
    r.facets = 0;
    CHECK_STR(search(r, "经济 OR 南通"),
              "{'query':'经济 OR 南通','total':2,'total_exact':true,'offset':0,'limit':10,'revision':1,"
              "'hits':[{'id':'a1','title':'南通开发区招商引资','url':null,'date':'2022-05-18',"
              "'source':'新华社','category':'经济','rank':1,'revision':1},"
              "{'id':'a2','title':'疫情防控常态化','url':null,'date':'2022-03-01',"
              "'source':'人民日报','category':'国内','rank':2,'revision':1}]}");
}

/* all_copies shows every copy, each with the cluster it shares. */
static void test_all_copies(void)
{
    idx_search_req r = page;
    r.snippets = 0;
    r.all_copies = 1;
    int rc;
    json_t *res = respond(r, "招商引资", &rc);
    CHECK_INT(rc, IDX_OK);
    if (rc) return;
    /* the key names the cluster's first member; the rest of it is a hash */
    json_t *hits = json_object_get(res, "hits");
    const char *k0 = json_string_value(json_object_get(json_array_get(hits, 0), "cluster"));
    char key[64];
    snprintf(key, sizeof key, "%s", k0 ? k0 : "");
    CHECK(strncmp(key, "a1#", 3) == 0);
    size_t i;
    json_t *hit;
    json_array_foreach(hits, i, hit) {
        CHECK_STR(json_string_value(json_object_get(hit, "cluster")), key);
        json_object_del(hit, "cluster");
    }
    CHECK_STR(dump(res, 0),
              "{'query':'招商引资','total':2,'total_exact':true,'offset':0,'limit':10,'revision':1,"
              "'hits':[{'id':'a1','title':'南通开发区招商引资','url':null,'date':'2022-05-18',"
              "'source':'新华社','category':'经济','rank':1,'revision':1},"
              "{'id':'a5','title':'南通开发区招商引资','url':null,'date':'2022-05-19',"
              "'source':'江苏日报','category':'经济','rank':2,'revision':1}]}");
}

/* NOT in the query; bad syntax is read as words, with a warning. */
static void test_not_and_warning(void)
{
    idx_search_req r = page;
    r.snippets = 0;
    CHECK_STR(search(r, "南通 -疫情"),
              "{'query':'南通 -疫情','total':1,'total_exact':true,'offset':0,'limit':10,'revision':1,"
              "'hits':[{'id':'a1','title':'南通开发区招商引资','url':null,'date':'2022-05-18',"
              "'source':'新华社','category':'经济','rank':1,'revision':1,'duplicates':1,'duplicate_ids':['a5']}]}");
    CHECK_STR(search(r, "(疫苗"),
              "{'query':'(疫苗','total':1,'total_exact':true,'offset':0,'limit':10,'revision':1,"
              "'hits':[{'id':'a2','title':'疫情防控常态化','url':null,'date':'2022-03-01',"
              "'source':'人民日报','category':'国内','rank':1,'revision':1}],"
              "'warning':'query syntax: unclosed parenthesis at byte 0; searched for the words "
              "as typed'}");
}

/* explain: the tree (qtree.h's renderer) and Xapian's query. */
static void test_explain(void)
{
    idx_search_req r = page;
    r.snippets = 0;
    r.explain = 1;
    r.filters = (idx_filters){.category = "经济"};
    CHECK_STR(search(r, "title:周报"),
              "{'query':'title:周报','total':1,'total_exact':true,'offset':0,'limit':10,'revision':1,"
              "'hits':[{'id':'a4','title':'经济周报','url':null,'date':'2022-06-30',"
              "'source':'人民日报','category':'经济','rank':1,'revision':1}],"
              "'explain':{'tree':{'type':'text','field':'title','terms':['周报']},"
              "'xapian':'Query((S周报 FILTER XC经济))'}}");
}

/* Synonyms: a member finds the others, and they are marked. */
static void test_synonyms(void)
{
    char path[32];
    CHECK(t_temp_file(path, "台湾 宝岛\n") == 0);
    idx_synonyms *syn = NULL;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_synonyms_load(path, &syn, &err), IDX_OK);
    remove(path);
    idx_search_req r = page;
    r.synonyms = syn;
    CHECK_STR(search(r, "宝岛"),
              "{'query':'宝岛','total':1,'total_exact':true,'offset':0,'limit':10,'revision':1,"
              "'hits':[{'id':'a3','title':'台湾经济观察','url':null,'date':'2021-12-31',"
              "'source':'新华社','category':'国际','title_html':'<mark>台湾</mark>经济观察',"
              "'snippet':'<mark>宝岛</mark>经济今年增长。','rank':1,'revision':1}]}");
    idx_synonyms_free(syn);
}

/* The caller's mistakes are the query's own codes; nothing found is not one. */
static void test_errors_and_nothing_found(void)
{
    CHECK_STR(search(page, "，。"), "ERROR 2");
    CHECK_STR(search(page, "\xff"), "ERROR 3");
    idx_search_req r = page;
    r.filters = (idx_filters){.year = "22"};
    CHECK_STR(search(r, "经济"), "ERROR 2");
    CHECK_STR(search(page, "火星"),
              "{'query':'火星','total':0,'total_exact':true,'offset':0,'limit':10,'revision':1,'hits':[]}");
}

int main(void)
{
    if (t_db_build(&tdb, "search", articles, sizeof articles / sizeof *articles)) {
        printf("FAIL build_db\n#summary 0 1\n");
        return 1;
    }
    TEST(test_hits_with_highlights);
    TEST(test_ranks_and_paging);
    TEST(test_filters_sort_facets);
    TEST(test_all_copies);
    TEST(test_not_and_warning);
    TEST(test_explain);
    TEST(test_synonyms);
    TEST(test_errors_and_nothing_found);
    t_db_remove(&tdb);
    TEST_SUMMARY();
}
