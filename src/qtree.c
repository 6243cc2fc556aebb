/* qtree.c - see qtree.h: the tree's storage (nodes, tokens, parts), the
 * building blocks the parser (qparse.c) and the synonym expansion
 * (synonyms.c) share, and the JSON rendering.
 *
 * Nodes live in one array and point at each other by index (kid, next), so
 * growing the array never invalidates a link; tokens live in one array of
 * IDX_QUERY_MAX_TERMS, and a TEXT node is a slice of it.
 */
#include "qtree.h"

#include <stdlib.h>
#include <string.h>

void idx_qtoken_set(idx_qtoken *q, const idx_token *t)
{
    memcpy(q->term, t->term, t->len);
    q->term[t->len] = '\0';
    q->len = t->len;
    q->pos = t->pos;
    q->kind = t->kind;
}

int idx_qtree_add_node(idx_qtree *t, int type, int *id, idx_err *err)
{
    if (t->nnodes == t->nodecap) {
        size_t cap = t->nodecap ? t->nodecap * 2 : 16;
        if (cap > 4 * IDX_QUERY_MAX_TERMS)
            return idx_err_set(err, IDX_ETOOBIG, "query.parse", "query is too complex");
        idx_qnode *v = realloc(t->nodes, cap * sizeof *v);
        if (!v) return idx_err_set(err, IDX_ENOMEM, "query.parse", "out of memory");
        t->nodes = v;
        t->nodecap = cap;
    }
    idx_qnode *nd = &t->nodes[t->nnodes];
    memset(nd, 0, sizeof *nd);
    nd->type = type;
    nd->kid = nd->next = -1;
    *id = (int)t->nnodes++;
    return IDX_OK;
}

static int on_token(void *ctx, const idx_token *tok)
{
    idx_qtree *t = ctx;
    if (t->ntoks >= IDX_QUERY_MAX_TERMS) return IDX_ETOOBIG;
    idx_qtoken_set(&t->toks[t->ntoks++], tok);
    return IDX_OK;
}

int idx_qtree_add_text(idx_qtree *t, const char *s, size_t n, int field, int *id, idx_err *err)
{
    size_t first = t->ntoks;
    *id = IDX_QTREE_EMPTY;
    int rc = idx_tokenize(s, n, IDX_TOKENIZE_QUERY | t->tokflags, 0, on_token, t, NULL, err);
    if (rc == IDX_ETOOBIG)
        return idx_err_set(err, IDX_ETOOBIG, "query.parse", "query has more than %d terms",
                           IDX_QUERY_MAX_TERMS);
    if (rc) return rc;
    if (t->ntoks == first) return IDX_OK;
    int k;
    if ((rc = idx_qtree_add_node(t, IDX_QN_TEXT, &k, err))) return rc;
    t->nodes[k].field = field;
    t->nodes[k].first = first;
    t->nodes[k].n = t->ntoks - first;
    *id = k;
    return IDX_OK;
}

/* The TEXT nodes not under a NOT, in order. */
static void collect_parts(idx_qtree *t, int id, int neg)
{
    for (; id >= 0; id = t->nodes[id].next) {
        const idx_qnode *nd = &t->nodes[id];
        if (nd->type == IDX_QN_TEXT && !neg)
            t->parts[t->nparts++] = (idx_qpart){.first = nd->first, .n = nd->n, .field = nd->field};
        else if (nd->type == IDX_QN_NOT)
            collect_parts(t, nd->kid, !neg);
        else if (nd->type == IDX_QN_AND || nd->type == IDX_QN_OR)
            collect_parts(t, nd->kid, neg);
    }
}

int idx_qtree_set_parts(idx_qtree *t, idx_err *err)
{
    idx_qpart *parts = realloc(t->parts, (t->nnodes ? t->nnodes : 1) * sizeof *parts);
    if (!parts) return idx_err_set(err, IDX_ENOMEM, "query.parse", "out of memory");
    t->parts = parts;
    t->nparts = 0;
    collect_parts(t, t->root, 0);
    return IDX_OK;
}

void idx_qtree_clear(idx_qtree *t)
{
    for (size_t i = 0; i < t->nnodes; i++) {
        free(t->nodes[i].value);
        free(t->nodes[i].from);
        free(t->nodes[i].to);
    }
    t->nnodes = t->ntoks = t->nparts = 0;
    t->root = -1;
}

void idx_qtree_fini(idx_qtree *t)
{
    if (!t) return;
    idx_qtree_clear(t);
    free(t->nodes);
    free(t->toks);
    free(t->parts);
    memset(t, 0, sizeof *t);
    t->root = -1;
}

static const char *field_name(int field)
{
    switch (field) {
    case IDX_FIELD_TITLE: return "title";
    case IDX_FIELD_SOURCE: return "source";
    case IDX_FIELD_CATEGORY: return "category";
    case IDX_FIELD_TAG: return "tag";
    default: return "any";
    }
}

json_t *idx_qtree_json(const idx_qtree *t, int id)
{
    const idx_qnode *nd = &t->nodes[id];
    switch (nd->type) {
    case IDX_QN_TEXT: {
        json_t *terms = json_array();
        for (size_t i = 0; terms && i < nd->n; i++)
            json_array_append_new(terms, json_string(t->toks[nd->first + i].term));
        return json_pack("{s:s, s:s, s:o}", "type", "text", "field", field_name(nd->field),
                         "terms", terms);
    }
    case IDX_QN_FILTER: {
        json_t *v = json_string(nd->value);
        return json_pack("{s:s, s:s, s:o}", "type", "filter", "field", field_name(nd->field),
                         "value", v ? v : json_null());
    }
    case IDX_QN_DATE:
        return json_pack("{s:s, s:o, s:o}", "type", "date", "from",
                         nd->from ? json_string(nd->from) : json_null(), "to",
                         nd->to ? json_string(nd->to) : json_null());
    default: {
        json_t *kids = json_array();
        for (int k = nd->kid; kids && k >= 0; k = t->nodes[k].next)
            json_array_append_new(kids, idx_qtree_json(t, k));
        const char *op = nd->type == IDX_QN_AND ? "and" : nd->type == IDX_QN_OR ? "or" : "not";
        return json_pack("{s:s, s:o}", "type", op, "children", kids);
    }
    }
}
