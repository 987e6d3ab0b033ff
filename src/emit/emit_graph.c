/*
 * The revision graph as a picture: a Mermaid flowchart (GitHub renders it
 * in comments and Markdown) or a Graphviz digraph. Both share one layout
 * decision: which nodes to draw, and which linear runs to fold into a
 * single "N revisions" node, since a 263-revision history is mostly a
 * straight line and only its forks and joins are worth looking at.
 *
 * Labels quote revision ids and messages from the files: each format gets
 * its own escaping, and control characters are dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "migen/doctor.h"

#define MSG_MAX 40 /* bytes of message shown in a node */
#define RUN_MIN 3  /* shortest run worth folding */

enum { PLAIN = 1, HEAD = 2, ROOT = 4, MERGE = 8, BRANCH = 16, LABEL = 32, DEP = 64 };

struct layout {
	const struct mg_revgraph *g;
	unsigned char *kind; /* per node: the flags above */
	size_t *run;         /* per node: the first node of its folded run, or itself */
	size_t *runlen;      /* per run start: its length (1 when not folded) */
	size_t *runend;      /* per run start: its last node */
	size_t *byid;        /* every node, sorted by id: the drawing order */
};

static void
layout(struct layout *l, const struct mg_revgraph *g, int collapse)
{
	size_t i, k, n = g->nnodes;

	l->g = g;
	l->kind = mg_xcalloc(n ? n : 1, 1);
	l->run = mg_xcalloc(n ? n : 1, sizeof(*l->run));
	l->runlen = mg_xcalloc(n ? n : 1, sizeof(*l->runlen));
	l->runend = mg_xcalloc(n ? n : 1, sizeof(*l->runend));
	l->byid = mg_revgraph_by_id(g);
	for (i = 0; i < n; i++)
		for (k = 0; k < g->nodes[i].ndeps; k++)
			l->kind[g->nodes[i].deps[k]] |= DEP;
	for (i = 0; i < n; i++) {
		const struct mg_revnode *v = &g->nodes[i];
		const struct mg_rev *r = mg_revgraph_rev(g, i);
		unsigned char f = l->kind[i];

		if (v->nchildren == 0)
			f |= HEAD;
		if (r->down.n == 0)
			f |= ROOT;
		if (v->nparents > 1)
			f |= MERGE;
		if (v->nchildren > 1)
			f |= BRANCH;
		if (r->labels.n > 0)
			f |= LABEL;
		if (f == 0 && v->nparents == 1 && v->nchildren == 1 && v->ndeps == 0)
			f = PLAIN;
		l->kind[i] = f;
		l->run[i] = i;
		l->runlen[i] = 1;
		l->runend[i] = i;
	}
	if (!collapse)
		return;
	for (i = 0; i < n; i++) {
		size_t x = i, len = 1;

		/* A run starts at a plain node whose parent is not plain. */
		if (l->kind[i] != PLAIN || l->kind[g->nodes[i].parents[0]] == PLAIN)
			continue;
		while (l->kind[g->nodes[x].children[0]] == PLAIN && g->nodes[x].children[0] != i) {
			x = g->nodes[x].children[0];
			len++;
		}
		if (len < RUN_MIN)
			continue;
		l->runlen[i] = len;
		l->runend[i] = x;
		for (x = i, k = 0; k < len; k++, x = g->nodes[x].children[0])
			l->run[x] = i;
	}
}

static void
layout_free(struct layout *l)
{
	free(l->kind);
	free(l->run);
	free(l->runlen);
	free(l->runend);
	free(l->byid);
}

/* Whether node i is drawn (a folded run is drawn once, as its first node). */
static int
drawn(const struct layout *l, size_t i)
{
	return l->run[i] == i;
}

/* The node an edge from/to i lands on. */
static size_t
shown(const struct layout *l, size_t i)
{
	return l->run[i];
}

/* The message cut to MSG_MAX bytes on a UTF-8 boundary; into buf. */
static const char *
short_message(const char *m, char *buf, size_t size)
{
	size_t n;

	if (m == NULL)
		return "";
	n = strlen(m);
	if (n <= MSG_MAX)
		return m;
	n = MSG_MAX;
	while (n > 0 && ((unsigned char)m[n] & 0xC0) == 0x80)
		n--;
	if (n + 4 > size)
		n = size - 4;
	memcpy(buf, m, n);
	memcpy(buf + n, "\xE2\x80\xA6", 4); /* … */
	return buf;
}

/* Mermaid: entity codes for anything its label syntax could read. */
static void
mermaid_text(FILE *f, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fputc(' ', f);
		else if (strchr("\"#&<>[]{}()|`\\;:", *p) != NULL)
			fprintf(f, "#%d;", *p);
		else
			fputc(*p, f);
	}
}

/* DOT: a double-quoted string. */
static void
dot_text(FILE *f, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fputc(' ', f);
		else if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else
			fputc(*p, f);
	}
}

/* The lines of a node's label, handed to the format's writer. */
static void
label(const struct layout *l, size_t i, FILE *f, void (*text)(FILE *, const char *), const char *br)
{
	const struct mg_revgraph *g = l->g;
	const struct mg_rev *r = mg_revgraph_rev(g, i);
	unsigned char k = l->kind[i];
	char buf[MSG_MAX + 8];
	size_t j;

	if (l->runlen[i] > 1) {
		fprintf(f, "%zu revisions%s", l->runlen[i], br);
		text(f, r->revision);
		fputs(" .. ", f);
		text(f, mg_revgraph_rev(g, l->runend[i])->revision);
		return;
	}
	text(f, r->revision);
	if (k & (HEAD | MERGE | BRANCH | ROOT)) {
		fputs(" (", f);
		fputs((k & HEAD)     ? "head"
		      : (k & MERGE)  ? "merge"
		      : (k & BRANCH) ? "branch point"
		                     : "root",
		      f);
		if ((k & HEAD) && (k & MERGE))
			fputs(", merge", f);
		if ((k & BRANCH) && (k & (HEAD | MERGE)))
			fputs(", branch point", f);
		if ((k & ROOT) && (k & (HEAD | MERGE | BRANCH)))
			fputs(", root", f);
		fputc(')', f);
	}
	if (r->message != NULL && *r->message != '\0') {
		fputs(br, f);
		text(f, short_message(r->message, buf, sizeof(buf)));
	}
	for (j = 0; j < r->labels.n; j++) {
		fputs(j ? ", " : br, f);
		fputs(j ? "" : "branch: ", f);
		text(f, r->labels.v[j]);
	}
}

/*
 * How a node is marked, in the order that decides (a collapsed run first,
 * then head, merge, branch point, label): its Mermaid class and DOT style.
 */
struct mark {
	const char *mermaid;
	const char *dot;
};

enum { MARK_RUN, MARK_HEAD, MARK_MERGE, MARK_BRANCH, MARK_LABEL, MARK_NONE };

static const struct mark marks[] = {
    {"run", ", style=\"dashed,filled\", fillcolor=\"#f5f5f5\""},
    {"head", ", style=filled, fillcolor=\"#d4edda\", penwidth=2"},
    {"merge", ", style=filled, fillcolor=\"#e3f2fd\""},
    {"branchpoint", ", style=filled, fillcolor=\"#fff3e0\""},
    {"labelled", ", style=filled, fillcolor=\"#f3e5f5\""},
    {NULL, ""},
};

static const struct mark *
mark_of(const struct layout *l, size_t i)
{
	unsigned char k = l->kind[i];

	if (l->runlen[i] > 1)
		return &marks[MARK_RUN];
	if (k & HEAD)
		return &marks[MARK_HEAD];
	if (k & MERGE)
		return &marks[MARK_MERGE];
	if (k & BRANCH)
		return &marks[MARK_BRANCH];
	if (k & LABEL)
		return &marks[MARK_LABEL];
	return &marks[MARK_NONE];
}

/* How one format writes nodes and edges; draw() does the walking. */
struct format {
	const char *head, *tail;
	const char *node;                   /* after "  rN": the label opens */
	void (*text)(FILE *, const char *); /* label text, escaped */
	const char *br;                     /* a line break inside a label */
	void (*close)(FILE *, const struct mark *);
	const char *edge[2], *dep[2]; /* "  rP", [0], "rC", [1] */
};

static void
mermaid_close(FILE *f, const struct mark *m)
{
	fputs("\"]", f);
	if (m->mermaid != NULL)
		fprintf(f, ":::%s", m->mermaid);
	fputc('\n', f);
}

static void
dot_close(FILE *f, const struct mark *m)
{
	fprintf(f, "\"%s];\n", m->dot);
}

static const struct format mermaid = {
    "flowchart TD\n",
    "  classDef head fill:#d4edda,stroke:#2e7d32,stroke-width:2px\n"
    "  classDef merge fill:#e3f2fd,stroke:#1565c0\n"
    "  classDef branchpoint fill:#fff3e0,stroke:#ef6c00\n"
    "  classDef labelled fill:#f3e5f5,stroke:#6a1b9a\n"
    "  classDef run fill:#f5f5f5,stroke:#9e9e9e,stroke-dasharray:4 2\n",
    "[\"",
    mermaid_text,
    "<br/>",
    mermaid_close,
    {" --> ", "\n"},
    {" -. depends_on .-> ", "\n"},
};

static const struct format dot = {
    "digraph revisions {\n"
    "  rankdir=TB;\n"
    "  node [shape=box, fontname=\"Helvetica\"];\n",
    "}\n",
    " [label=\"",
    dot_text,
    "\\n",
    dot_close,
    {" -> ", ";\n"},
    {" -> ", " [style=dashed, label=\"depends_on\"];\n"},
};

static void
edge(FILE *f, const char *const how[2], size_t from, size_t to)
{
	fprintf(f, "  r%zu%sr%zu%s", from, how[0], to, how[1]);
}

/* Nodes by id, then edges by their child's id; an edge inside a folded run is not drawn. */
static void
draw(FILE *f, const struct mg_revgraph *g, int collapse, const struct format *fmt)
{
	struct layout l;
	size_t a, i, k;

	layout(&l, g, collapse);
	fputs(fmt->head, f);
	for (a = 0; a < g->nnodes; a++) {
		i = l.byid[a];
		if (!drawn(&l, i))
			continue;
		fprintf(f, "  r%zu%s", i, fmt->node);
		label(&l, i, f, fmt->text, fmt->br);
		fmt->close(f, mark_of(&l, i));
	}
	for (a = 0; a < g->nnodes; a++) {
		const struct mg_revnode *v;

		i = l.byid[a];
		v = &g->nodes[i];
		for (k = 0; k < v->nparents; k++)
			if (shown(&l, v->parents[k]) != shown(&l, i))
				edge(f, fmt->edge, shown(&l, v->parents[k]), shown(&l, i));
		for (k = 0; k < v->ndeps; k++)
			edge(f, fmt->dep, shown(&l, v->deps[k]), shown(&l, i));
	}
	fputs(fmt->tail, f);
	layout_free(&l);
}

void
mg_emit_graph_mermaid(FILE *f, const struct mg_revgraph *g, int collapse)
{
	draw(f, g, collapse, &mermaid);
}

void
mg_emit_graph_dot(FILE *f, const struct mg_revgraph *g, int collapse)
{
	draw(f, g, collapse, &dot);
}
