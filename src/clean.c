/* clean.c - see clean.h.  Also the charset step before it (idx_clean_decode,
 * idx_clean_convert: glibc's iconv), shared by text and HTML pages. */
#include "clean.h"

#include "buf.h"
#include "hash.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isodate.h"
#include "utf8.h"

typedef struct line {
    const char *s; /* trimmed, inside the text */
    size_t n;
    size_t chars; /* code points */
    int prose, signal, repeated, dated, site, lone_repeat;
    uint64_t hash;
    long weight;
} line;

/* Navigation, contact and licence signals of site chrome: strong ones on a
 * line of any length, weak ones (words news prose also uses: 注册 in
 * 注册护士, 许可证 in 生产许可证) only on a short line that is not a
 * sentence. */
static const char *const signals[] = {
    "联系我们", "欢迎来到", "欢迎访问", "ICP备", "ICP证", "版权所有", "Copyright", "copyright",
    "©", "电话:", "电话：", "传真:", "传真：", "邮箱:", "邮箱：", "邮编:", "邮编：", "地址:",
    "地址：", "技术支持", "主办单位", "备案号", "网站地图", "设为首页", "加入收藏",
};
static const char *const weak_signals[] = {
    "许可证", "法律声明", "Baidu", "登录", "注册", "返回顶部", "上一篇", "下一篇", "分享到",
    "打印本页", "关闭窗口", "责任编辑", "扫一扫", "字体：", "字号：",
};
#define WEAK_SIGNAL_MAX_CHARS 40
/* how many lines further up a repeated/echoed headline candidate may be and
 * still win over the closest line */
#define TITLE_ECHO_LINES 12

static int has(const char *s, size_t n, const char *pat)
{
    size_t m = strlen(pat);
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(s + i, pat, m) == 0) return 1;
    return 0;
}

/* White space at s[i]: 1 and its length in *len, or 0.  The cleaner's set
 * is narrower than utf8.h's and never changes: ASCII white space but the line
 * feed, the no-break space and the ideographic space.  Page ids hash the
 * cleaned text, so trimming one more kind (an em space indenting a
 * paragraph) would give re-added pages new ids. */
static int is_space_at(const char *s, size_t n, size_t i, size_t *len)
{
    *len = idx_utf8_space_at(s, n, i);
    if (*len == 1) return s[i] != '\n';
    return *len == 2 || (*len == 3 && (unsigned char)s[i] == 0xE3); /* U+00A0, U+3000 */
}

static size_t count_chars(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) k++;
    return k;
}

/* Skip a UTF-8 byte-order mark at the start of text[0..*n). */
static const char *skip_bom(const char *text, size_t *n)
{
    if (*n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        *n -= 3;
        return text + 3;
    }
    return text;
}

/* Sentence punctuation: CJK 。！？；， and ASCII , ; (a '.' is too often a
 * version or a date to count, and 、 lists the items of many a headline). */
static int punct_count(const char *s, size_t n)
{
    static const char *const cjk[] = {"。", "！", "？", "；", "，"};
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ',' || s[i] == ';') {
            k++;
            continue;
        }
        for (size_t p = 0; p < sizeof cjk / sizeof *cjk; p++)
            if (i + 3 <= n && memcmp(s + i, cjk[p], 3) == 0) k++;
    }
    return k;
}

static int digits(const char *s, size_t n, size_t i, int lo, int hi, int *val, size_t *end)
{
    int v = 0, k = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && k < hi) {
        v = v * 10 + (s[i] - '0');
        i++;
        k++;
    }
    if (k < lo) return 0;
    *val = v;
    *end = i;
    return 1;
}

/* Skip one date separator at s[i]: - / . or 年/月 (UTF-8); returns its length. */
static size_t sep(const char *s, size_t n, size_t i, int cjk_word)
{
    if (i < n && (s[i] == '-' || s[i] == '/' || s[i] == '.')) return 1;
    const char *w = cjk_word == 0 ? "年" : "月";
    if (i + 3 <= n && memcmp(s + i, w, 3) == 0) return 3;
    return 0;
}

/* The first valid date in s[0..n) as ISO 8601 into iso (64 bytes); its
 * span in start..end.  Returns 1 when found. */
static int find_date(const char *s, size_t n, char *iso, size_t *start, size_t *end)
{
    for (size_t i = 0; i + 8 <= n; i++) {
        if (!(s[i] == '1' || s[i] == '2') || (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9'))
            continue;
        int y, mo, d, h = -1, mi = 0, se = 0;
        size_t j, k;
        if (!digits(s, n, i, 4, 4, &y, &j) || y < 1900 || y > 2100) continue;
        if (!(k = sep(s, n, j, 0))) continue;
        if (!digits(s, n, j + k, 1, 2, &mo, &j)) continue;
        if (!(k = sep(s, n, j, 1))) continue;
        if (!digits(s, n, j + k, 1, 2, &d, &j)) continue;
        if (j + 3 <= n && memcmp(s + j, "日", 3) == 0) j += 3;
        /* an optional time: [space] HH:MM[:SS] */
        size_t t = j, sl;
        while (t < n && is_space_at(s, n, t, &sl)) t += sl;
        int hh, mm, ss;
        size_t u;
        if (digits(s, n, t, 1, 2, &hh, &u) && u < n && s[u] == ':' &&
            digits(s, n, u + 1, 2, 2, &mm, &u) && hh < 24 && mm < 60) {
            h = hh;
            mi = mm;
            if (u < n && s[u] == ':' && digits(s, n, u + 1, 2, 2, &ss, &u) && ss < 60) se = ss;
            j = u;
        }
        if (h >= 0)
            snprintf(iso, 64, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi, se);
        else
            snprintf(iso, 64, "%04d-%02d-%02d", y, mo, d);
        idx_date dt;
        if (idx_date_parse(iso, strlen(iso), &dt, NULL) != IDX_OK) continue;
        *start = i;
        *end = j;
        return 1;
    }
    return 0;
}

/* A byline ("本报记者 张三", "通讯员 李四", "作者：王五"): short, naming a
 * writer - never the headline. */
static int is_byline(const line *l)
{
    static const char *const who[] = {"记者", "通讯员", "作者", "撰稿", "编辑", "摄影"};
    if (l->chars > 24) return 0;
    for (size_t i = 0; i < sizeof who / sizeof *who; i++)
        if (has(l->s, l->n, who[i])) return 1;
    return 0;
}

/* A short line of labelled page metadata (发布日期, 来源, 浏览次数, ...),
 * whatever its value says. */
static int is_meta(const line *l)
{
    static const char *const labels[] = {"日期", "时间", "发布", "来源", "作者",
                                         "浏览", "点击", "字号", "字体", "阅读"};
    if (l->chars >= 60) return 0;
    for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
        if (has(l->s, l->n, labels[i])) return 1;
    return 0;
}

/* A line that may join the body at its edges: none of the template's. */
static int edge_line(const line *l)
{
    return !l->signal && !l->repeated && !l->site && !l->dated && !is_byline(l) && !is_meta(l);
}

/* Does it end a sentence (。！？… or a closing quote after one)? */
static int ends_sentence(const line *l)
{
    static const char *const ends[] = {"。", "！", "？", "…", "。”", "！”", "？”", "。」"};
    for (size_t i = 0; i < sizeof ends / sizeof *ends; i++) {
        size_t m = strlen(ends[i]);
        if (l->n >= m && memcmp(l->s + l->n - m, ends[i], m) == 0) return 1;
    }
    return l->n > 0 && (l->s[l->n - 1] == '.' || l->s[l->n - 1] == '!' || l->s[l->n - 1] == '?');
}

/* qsort_r order of line indexes by their hashes (ctx) */
static int by_hash(const void *a, const void *b, void *ctx)
{
    const uint64_t *h = ctx;
    uint64_t x = h[*(const size_t *)a], y = h[*(const size_t *)b];
    return (x > y) - (x < y);
}

void idx_cleaned_fini(idx_cleaned *c)
{
    if (!c) return;
    free(c->title);
    free(c->date);
    free(c->source);
    free(c->body);
    memset(c, 0, sizeof *c);
}

/* The outlet of a "来源:" / "来源：" in s, trimmed, up to the next run of
 * spaces or a following label; NULL when none. */
static char *source_of(const char *s, size_t n)
{
    const char *lab = "来源";
    for (size_t i = 0; i + 6 <= n; i++) {
        if (memcmp(s + i, lab, 6) != 0) continue;
        size_t j = i + 6, sl;
        if (j < n && s[j] == ':') j++;
        else if (j + 3 <= n && memcmp(s + j, "：", 3) == 0) j += 3;
        else continue;
        while (j < n && is_space_at(s, n, j, &sl)) j += sl;
        size_t e = j;
        while (e < n) {
            if (is_space_at(s, n, e, &sl)) break;
            if (has(s + e, n - e < 6 ? n - e : 6, "作者") || has(s + e, n - e < 6 ? n - e : 6, "编辑") ||
                has(s + e, n - e < 6 ? n - e : 6, "时间") || has(s + e, n - e < 6 ? n - e : 6, "发布"))
                break;
            e++;
        }
        if (e > j && e - j <= 120) return idx_memdup(s + j, e - j);
    }
    return NULL;
}

/* the identity of a line within a page and across the pages of a site */
static uint64_t line_hash(const char *s, size_t n)
{
    return idx_hash(IDX_HASH_SEED, s, n);
}

/* The page's non-blank lines, trimmed of spaces (ASCII, no-break and
 * ideographic), with their hashes; *out malloc'd. */
static int split_lines(const char *text, size_t n, line **out, size_t *count, idx_err *err)
{
    size_t cap = 64, nl = 0;
    line *L = malloc(cap * sizeof *L);
    *out = NULL;
    *count = 0;
    if (!L) return idx_err_set(err, IDX_ENOMEM, "clean", "out of memory");
    for (size_t i = 0; i < n;) {
        size_t e = i;
        while (e < n && text[e] != '\n') e++;
        size_t a = i, b = e, sl;
        while (a < b && is_space_at(text, b, a, &sl)) a += sl;
        while (b > a) { /* trailing spaces: step back over whole characters */
            size_t k = b - 1;
            while (k > a && ((unsigned char)text[k] & 0xC0) == 0x80) k--;
            if (!is_space_at(text, b, k, &sl) || k + sl != b) break;
            b = k;
        }
        if (b > a) {
            if (nl == cap) {
                line *v = realloc(L, 2 * cap * sizeof *v);
                if (!v) {
                    free(L);
                    return idx_err_set(err, IDX_ENOMEM, "clean", "out of memory");
                }
                L = v;
                cap *= 2;
            }
            memset(&L[nl], 0, sizeof L[nl]);
            L[nl].s = text + a;
            L[nl].n = b - a;
            L[nl].hash = line_hash(text + a, b - a);
            nl++;
        }
        i = e + 1;
    }
    *out = L;
    *count = nl;
    return IDX_OK;
}

/* ---- the lines of a site: an open-addressing table, line hash -> pages ---- */
typedef struct site_line {
    uint32_t pages, last_page;
} site_line;

struct idx_site {
    idx_map lines; /* line hash -> site_line */
    uint32_t pages;
};

int idx_site_new(idx_site **out, idx_err *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out) return idx_err_set(err, IDX_ENOMEM, "clean", "out of memory");
    idx_map_init(&(*out)->lines, sizeof(site_line));
    return IDX_OK;
}

void idx_site_free(idx_site *s)
{
    if (!s) return;
    idx_map_fini(&s->lines);
    free(s);
}

size_t idx_site_pages(const idx_site *s)
{
    return s ? s->pages : 0;
}

int idx_site_add(idx_site *s, const char *text, size_t n, idx_err *err)
{
    text = skip_bom(text, &n);
    int rc = idx_utf8_check(text, n, "page", err);
    if (rc) return rc;
    line *L;
    size_t nl;
    if ((rc = split_lines(text, n, &L, &nl, err))) return rc;
    s->pages++;
    for (size_t i = 0; i < nl; i++) {
        site_line *e = idx_map_put(&s->lines, L[i].hash, NULL);
        if (!e) {
            free(L);
            return idx_err_set(err, IDX_ENOMEM, "clean", "out of memory");
        }
        if (e->last_page != s->pages) { /* once per page */
            e->last_page = s->pages;
            e->pages++;
        }
    }
    free(L);
    return IDX_OK;
}

/* Is a line with hash h part of the site's template: 0 no, 1 on
 * IDX_SITE_SHARE of its pages, 2 on IDX_SITE_TEMPLATE_SHARE of them? */
static int site_boiler(const idx_site *s, uint64_t h)
{
    if (!s || s->pages < IDX_SITE_MIN_PAGES) return 0;
    const site_line *e = idx_map_get(&s->lines, h);
    if (!e || e->pages < IDX_SITE_MIN_LINE_PAGES) return 0;
    if ((double)e->pages >= IDX_SITE_TEMPLATE_SHARE * s->pages) return 2;
    return (double)e->pages >= IDX_SITE_SHARE * s->pages;
}

/* ---- charsets ---- */

int idx_clean_convert(const char *cs, const char *s, size_t n, idx_buf *out, idx_err *err)
{
    iconv_t cd = iconv_open("UTF-8", cs);
    if (cd == (iconv_t)-1)
        return idx_err_set(err, IDX_EINVAL, "clean.charset", "unknown charset \"%s\"", cs);
    char *in = (char *)s; /* iconv's prototype; it does not write through it */
    size_t left = n;
    int rc = IDX_OK;
    while (left > 0) {
        if (idx_buf_reserve(out, left + left / 2 + 64) != 0) {
            rc = idx_err_set(err, IDX_ENOMEM, "clean.charset", "out of memory");
            break;
        }
        char *o = out->data + out->len;
        size_t room = out->cap - out->len - 1; /* keep the NUL's byte */
        size_t r = iconv(cd, &in, &left, &o, &room);
        out->len = (size_t)(o - out->data);
        out->data[out->len] = '\0';
        if (r == (size_t)-1 && errno != E2BIG) {
            size_t at = n - left;
            rc = idx_err_set(err, IDX_EUTF8, "clean.charset", "not %s at byte %zu (0x%02X)%s", cs,
                             at, (unsigned)(unsigned char)s[at],
                             errno == EINVAL ? ": a character cut short at the end" : "");
            break;
        }
    }
    iconv_close(cd);
    return rc;
}

/* How many of the non-ASCII bytes of s[0..n) form UTF-8 characters, and how
 * many there are. */
static void utf8_share(const char *s, size_t n, size_t *utf8, size_t *high)
{
    *utf8 = *high = 0;
    for (size_t i = 0; i < n;) {
        if (!((unsigned char)s[i] & 0x80)) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t len;
        if (idx_utf8_decode(s, n, i, &cp, &len) == 0) {
            *utf8 += len;
            *high += len;
            i += len;
        } else {
            (*high)++;
            i++;
        }
    }
}

int idx_clean_decode(const char *text, size_t n, idx_buf *buf, const char **t, size_t *tn,
                     int *gb, idx_err *err)
{
    size_t skipped = n, bad;
    if (gb) *gb = 0;
    text = skip_bom(text, &n);
    skipped -= n; /* offsets name bytes of the file */
    *t = text;
    *tn = n;
    if (idx_utf8_valid(text, n, &bad)) return IDX_OK;
    /* mostly UTF-8: damaged UTF-8, whatever GB18030 makes of it */
    size_t utf8, high;
    utf8_share(text, n, &utf8, &high);
    int rc = IDX_EUTF8;
    idx_buf_reset(buf);
    idx_err ignored;
    idx_err_clear(&ignored);
    if (2 * utf8 <= high) rc = idx_clean_convert("GB18030", text, n, buf, &ignored);
    if (rc == IDX_ENOMEM) return idx_err_set(err, IDX_ENOMEM, "clean.charset", "out of memory");
    if (rc)
        return idx_err_set(err, IDX_EUTF8, "clean.charset",
                           "invalid UTF-8 in page at byte %zu (0x%02X), and not "
                           "GB18030 (GBK) either",
                           skipped + bad, (unsigned)(unsigned char)text[bad]);
    *t = buf->data ? buf->data : "";
    *tn = buf->len;
    if (gb) *gb = 1;
    return IDX_OK;
}

int idx_clean_text(const char *text, size_t n, idx_cleaned *out, idx_err *err)
{
    return idx_clean_page(text, n, NULL, out, err);
}

int idx_clean_page(const char *text, size_t n, const idx_site *site, idx_cleaned *out,
                   idx_err *err)
{
    memset(out, 0, sizeof *out);
    text = skip_bom(text, &n); /* not part of the headline */
    if (n > IDX_CLEAN_MAX_BYTES)
        return idx_err_set(err, IDX_ETOOBIG, "clean", "page is %zu bytes (max %d)", n,
                           IDX_CLEAN_MAX_BYTES);
    int rc = idx_utf8_check(text, n, "page", err);
    if (rc) return rc;
    line *L;
    size_t nl;
    if ((rc = split_lines(text, n, &L, &nl, err))) return rc;

    /* lines the page repeats: sort by hash, compare neighbours */
    {
        size_t *ord = malloc((nl ? nl : 1) * sizeof *ord);
        uint64_t *h = malloc((nl ? nl : 1) * sizeof *h);
        if (!ord || !h) {
            free(ord);
            free(h);
            free(L);
            return idx_err_set(err, IDX_ENOMEM, "clean", "out of memory");
        }
        for (size_t i = 0; i < nl; i++) {
            h[i] = L[i].hash;
            ord[i] = i;
        }
        qsort_r(ord, nl, sizeof *ord, by_hash, h);
        for (size_t a = 0; a + 1 < nl; a++) {
            const line *x = &L[ord[a]], *y = &L[ord[a + 1]];
            if (h[ord[a]] == h[ord[a + 1]] && x->n == y->n && memcmp(x->s, y->s, x->n) == 0)
                L[ord[a]].repeated = L[ord[a + 1]].repeated = 1;
        }
        free(ord);
        free(h);
    }
    /* ... but a short line repeated on its own, between lines that are not,
     * is the body's (a speaker tag like "【同期】潘玉华" before each quote):
     * chrome repeats in blocks (a footer printed three times) */
    for (size_t i = 0; i < nl; i++) {
        L[i].chars = count_chars(L[i].s, L[i].n);
        if (L[i].repeated && L[i].chars < 20 && !(i > 0 && L[i - 1].repeated) &&
            !(i + 1 < nl && L[i + 1].repeated))
            L[i].lone_repeat = 1;
    }
    for (size_t i = 0; i < nl; i++)
        if (L[i].lone_repeat) L[i].repeated = 0;

    /* weigh every line; the body is the run of lines with the highest total
     * (Kadane).  With a site's evidence its template lines weigh against;
     * should that leave no body (the site holds copies of this very
     * article), the page is read again on its own evidence. */
    long best = 0;
    size_t bs = 0, be = 0;
    int found = 0;
    for (int use_site = site != NULL;; use_site = 0) {
        for (size_t i = 0; i < nl; i++) {
            line *l = &L[i];
            char iso[64];
            size_t ds, de;
            /* a date line is meta, not a sentence that names a date */
            l->dated = l->chars < 60 && !ends_sentence(l) && find_date(l->s, l->n, iso, &ds, &de);
            l->prose = !l->dated && l->chars >= 20 && punct_count(l->s, l->n) >= 1;
            l->signal = 0;
            for (size_t p = 0; p < sizeof signals / sizeof *signals && !l->signal; p++)
                l->signal = has(l->s, l->n, signals[p]);
            for (size_t p = 0; p < sizeof weak_signals / sizeof *weak_signals && !l->signal &&
                               !l->prose && l->chars <= WEAK_SIGNAL_MAX_CHARS;
                 p++)
                l->signal = has(l->s, l->n, weak_signals[p]);
            l->site = use_site && site_boiler(site, l->hash);
            if (l->signal || l->repeated || l->site)
                l->weight = -1000;
            else if (l->prose)
                l->weight = (long)l->chars;
            else if (l->dated)
                l->weight = -50;
            else
                l->weight = -(5 + (long)l->chars / 10);
        }
        long cur = 0;
        size_t start = 0;
        best = 0;
        found = 0;
        for (size_t i = 0; i < nl; i++) {
            if (cur <= 0) {
                cur = 0;
                start = i;
            }
            cur += L[i].weight;
            if (cur > best) {
                best = cur;
                bs = start;
                be = i;
                found = 1;
            }
        }
        if (found || !use_site) break;
    }
    size_t top = found ? bs : nl; /* lines above the body */

    /* date: the closest dated line above the body, labelled ones first */
    char iso[64];
    size_t ds, de;
    long date_line = -1;
    for (int pass = 0; pass < 2 && date_line < 0; pass++)
        for (size_t k = top; k-- > 0;) {
            /* (a site line may be a date: a day's pages share "发布日期: ...") */
            if (!L[k].dated || L[k].signal) continue;
            int labelled = has(L[k].s, L[k].n, "日期") || has(L[k].s, L[k].n, "时间") ||
                           has(L[k].s, L[k].n, "发布") || has(L[k].s, L[k].n, "发表");
            if (pass == 0 && !labelled) continue;
            date_line = (long)k;
            break;
        }
    if (date_line >= 0 && find_date(L[date_line].s, L[date_line].n, iso, &ds, &de) &&
        !(out->date = strdup(iso)))
        goto nomem;

    /* headline: above the body (and above the date line when there is one),
     * the closest, but a line another line echoes (a breadcrumb ends with it,
     * an HTML <title> starts with it) a few lines further up goes first */
    long title = -1, tscore = 0;
    size_t tlimit = date_line >= 0 ? (size_t)date_line : top;
    size_t tfrom = tlimit > 50 ? tlimit - 50 : 0; /* the 50 lines above */
    for (size_t k = tfrom; k < tlimit; k++) {
        const line *l = &L[k];
        if (l->signal || l->dated || l->chars < 4 || l->chars > 150 || is_byline(l)) continue;
        if (l->chars < 40 && (has(l->s, l->n, "日期") || has(l->s, l->n, "发布时间") ||
                              has(l->s, l->n, "时间:") || has(l->s, l->n, "时间："))) continue;
        /* echoed: another line above the body ends with it (a breadcrumb) or
         * starts with it (an HTML <title> "headline - site") */
        int echoed = 0;
        for (size_t j = tfrom; j < top && !echoed; j++)
            echoed = j != k && L[j].n > l->n &&
                     (memcmp(L[j].s + L[j].n - l->n, l->s, l->n) == 0 ||
                      memcmp(L[j].s, l->s, l->n) == 0);
        /* a template line (a section name on most pages) only as a last
         * resort; a line on fewer of them may be a column's recurring
         * headline (国内联播快讯) */
        long score = (echoed ? TITLE_ECHO_LINES : 0) - (l->site == 2 ? 5000 : 0) -
                     (long)(tlimit - k);
        if (title < 0 || score > tscore) {
            title = (long)k;
            tscore = score;
        }
    }
    if (title >= 0 && !(out->title = idx_memdup(L[title].s, L[title].n))) goto nomem;

    /* the body's edges: short lines the maximum run leaves out because they
     * weigh a little against it - a sub-heading or "本台消息：" between the
     * headline/date and the first paragraph, a closing sentence ("杨洁篪等
     * 参加会见。") after the last */
    if (found) {
        long anchor = title > date_line ? title : date_line;
        if (anchor >= 0 && (size_t)anchor < bs) {
            size_t k = bs;
            while (k > (size_t)anchor + 1 && edge_line(&L[k - 1]) && L[k - 1].chars <= 60) k--;
            bs = k;
        }
        while (be + 1 < nl && edge_line(&L[be + 1]) && ends_sentence(&L[be + 1])) be++;
    }

    /* outlet: a 来源 line above or in the body */
    for (size_t k = 0; k < (found ? be + 1 : nl) && !out->source; k++)
        if (!L[k].signal) out->source = source_of(L[k].s, L[k].n);
    /* (a 来源 on every page of a site - the site's own name - still names the outlet) */

    /* body paragraphs */
    size_t total = 0;
    if (found)
        for (size_t k = bs; k <= be; k++) total += L[k].n + 1;
    out->body = malloc(total + 1);
    if (!out->body) goto nomem;
    size_t w = 0;
    if (found)
        for (size_t k = bs; k <= be; k++) {
            if (L[k].signal || L[k].repeated || L[k].site) continue;
            if (w) out->body[w++] = '\n';
            memcpy(out->body + w, L[k].s, L[k].n);
            w += L[k].n;
        }
    out->body[w] = '\0';
    free(L);
    return IDX_OK;
nomem:
    free(L);
    return idx_err_set(err, IDX_ENOMEM, "clean", "out of memory");
}
