/* test_route.c - which parallel ingest job takes an article (route.h): an id
 * keeps its job across versions, a reprint (a shared signature band) follows
 * its original whatever its id hashes to, unrelated articles spread over the
 * jobs, and two routers fed the same sequence agree. */
#include <stdio.h>
#include <string.h>

#include "route.h"
#include "test.h"

static const char *story =
    "全市一季度产业项目建设综合考核最新揭晓，南通开发区以优异成绩再次获得流动红旗，"
    "这是该区连续第十四次获此殊荣。今年以来，开发区坚持项目为王，聚焦新一代信息技术、"
    "高端装备、新材料等主导产业，一批重大项目加快落地建设。一季度，全区新开工亿元以上"
    "产业项目二十六个，竣工项目十八个，完成产业投资一百二十亿元，同比增长百分之二十三。";

static const char *reprint = /* the same story, another outlet's framing */
    "（转载）全市一季度产业项目建设综合考核最新揭晓，南通开发区以优异成绩再次获得流动红旗，"
    "这是该区连续第十四次获此殊荣。今年以来，开发区坚持项目为王，聚焦新一代信息技术、"
    "高端装备、新材料等主导产业，一批重大项目加快落地建设。一季度，全区新开工亿元以上"
    "产业项目二十六个，竣工项目十八个，完成产业投资一百二十亿元，同比增长百分之二十三。来源：南通日报";

static idx_sig sig(const char *s)
{
    idx_sig g;
    CHECK_INT(idx_sig_of(s, strlen(s), &g, NULL), IDX_OK);
    CHECK(g.valid);
    return g;
}

static unsigned job_of(idx_route *r, const char *id, const idx_sig *s)
{
    unsigned j = 999;
    CHECK_INT(idx_route_job(r, id, strlen(id), s, &j, NULL), IDX_OK);
    return j;
}

static void test_bad_jobs(void)
{
    idx_route *r = (idx_route *)1;
    CHECK_INT(idx_route_new(0, &r, NULL), IDX_EINVAL);
    CHECK(r == NULL);
    CHECK_INT(idx_route_new(257, &r, NULL), IDX_EINVAL);
}

static void test_id_keeps_its_job(void)
{
    idx_route *r;
    CHECK_INT(idx_route_new(8, &r, NULL), IDX_OK);
    idx_sig a = sig(story);
    unsigned j = job_of(r, "a-1", NULL);
    CHECK(j < 8);
    /* the story goes to another job under another id ... */
    unsigned other = j;
    for (int i = 0; i < 100 && other == j; i++) {
        char id[32];
        snprintf(id, sizeof id, "other-%d", i);
        idx_route *h;
        CHECK_INT(idx_route_new(8, &h, NULL), IDX_OK);
        if (job_of(h, id, NULL) != j) other = job_of(r, id, &a);
        idx_route_free(h);
    }
    CHECK(other != j);
    /* ... and a new version of a-1 with that body still goes home */
    CHECK_INT(job_of(r, "a-1", &a), j);
    idx_route_free(r);
}

static void test_reprint_follows(void)
{
    idx_sig a = sig(story), b = sig(reprint);
    /* for every job count, over many original ids: the reprint lands with it */
    int moved = 0;
    for (unsigned jobs = 2; jobs <= 5; jobs++) {
        for (int i = 0; i < 20; i++) {
            idx_route *r;
            CHECK_INT(idx_route_new(jobs, &r, NULL), IDX_OK);
            char id[32], rid[32];
            snprintf(id, sizeof id, "orig-%d", i);
            snprintf(rid, sizeof rid, "copy-%d", i);
            unsigned j = job_of(r, id, &a);
            idx_route *h; /* where the copy's id alone would send it */
            CHECK_INT(idx_route_new(jobs, &h, NULL), IDX_OK);
            if (job_of(h, rid, NULL) != j) moved++;
            idx_route_free(h);
            CHECK_INT(job_of(r, rid, &b), j);
            idx_route_free(r);
        }
    }
    CHECK(moved > 20); /* the band, not luck, put them together */
}

static void test_spread_and_agree(void)
{
    idx_route *r1, *r2;
    CHECK_INT(idx_route_new(4, &r1, NULL), IDX_OK);
    CHECK_INT(idx_route_new(4, &r2, NULL), IDX_OK);
    unsigned count[4] = {0, 0, 0, 0};
    int agree = 1;
    for (int i = 0; i < 20000; i++) { /* also grows the table several times */
        char id[32];
        snprintf(id, sizeof id, "news-%d", i);
        unsigned j1 = job_of(r1, id, NULL), j2 = job_of(r2, id, NULL);
        if (j1 != j2 || j1 >= 4) agree = 0;
        else count[j1]++;
    }
    CHECK(agree);
    for (int k = 0; k < 4; k++) CHECK(count[k] > 4000 && count[k] < 6000);
    idx_route_free(r1);
    idx_route_free(r2);
}

int main(void)
{
    TEST(test_bad_jobs);
    TEST(test_id_keeps_its_job);
    TEST(test_reprint_follows);
    TEST(test_spread_and_agree);
    TEST_SUMMARY();
}
