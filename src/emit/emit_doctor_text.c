/*
 * The doctor's report for people: one line per fact, each starting with a
 * word grep can find (ok, note, warning, error, info), findings as
 * `path:line: error: message [id]`. Everything read from files (names,
 * messages, ids) goes through mg_emit_line_safe().
 */
#include <string.h>

#include "migen/doctor.h"
#include "migen/emit.h"

void
mg_emit_line_safe(FILE *f, const char *s)
{
	mg_emit_escaped(f, s, 0);
}

static const char *
plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* "id path (message)" for a node. */
static void
describe(FILE *f, const struct mg_revgraph *g, size_t node)
{
	const struct mg_rev *r = mg_revgraph_rev(g, node);

	mg_emit_line_safe(f, r->revision);
	fputc(' ', f);
	mg_emit_line_safe(f, r->path);
	if (r->message != NULL && *r->message != '\0') {
		fputs(" (", f);
		mg_emit_line_safe(f, r->message);
		fputc(')', f);
	}
}

void
mg_emit_fix_line(FILE *f, const struct mg_revgraph *g)
{
	if (g->nbroken_heads > 0) {
		fputs("  fix: the errors above first (a mistyped down_revision cuts a revision off "
		      "its parent), then run doctor again",
		      f);
		if (g->merge_command != NULL) {
			fputs("; the other heads need: ", f);
			mg_emit_line_safe(f, g->merge_command);
		}
		fputc('\n', f);
	} else if (g->merge_command != NULL) {
		fputs("  fix: ", f);
		mg_emit_line_safe(f, g->merge_command);
		fputc('\n', f);
	}
}

static void
head_lines(FILE *f, const struct mg_revgraph *g, const size_t *v, size_t n, const char *why)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct mg_revnode *h = &g->nodes[v[i]];

		fputs("  head ", f);
		describe(f, g, v[i]);
		for (j = 0; j < h->nlabels; j++) {
			fputs(j ? ", " : " [branch ", f);
			mg_emit_line_safe(f, h->labels[j]);
		}
		if (h->nlabels)
			fputc(']', f);
		if (why != NULL)
			fputs(why, f);
		fputc('\n', f);
	}
}

static void
finding(FILE *f, const struct mg_revgraph *g, const struct mg_graph_finding *x)
{
	size_t i;

	if (x->path != NULL) {
		mg_emit_line_safe(f, x->path);
		if (x->line)
			fprintf(f, ":%u", (unsigned)x->line);
		fputs(": ", f);
	}
	fprintf(f, "%s: ", mg_severity_name(x->severity));
	mg_emit_line_safe(f, x->message);
	fprintf(f, " [%s]\n", x->id);
	if (strcmp(x->id, "multiple-heads") == 0) {
		size_t sound = g->nconflict - g->nbroken_heads;

		head_lines(f, g, g->conflict, sound, NULL);
		head_lines(f, g, g->conflict + sound, g->nbroken_heads,
		           " (errors in its line: fix them, do not merge)");
		if (g->merge_command != NULL) {
			for (i = 0; i < g->ndiverge; i++) {
				fputs("  diverge at ", f);
				describe(f, g, g->diverge[i]);
				fputc('\n', f);
			}
			if (g->ndiverge == 0)
				fputs("  diverge at: no common ancestor (separate roots)\n", f);
		}
		mg_emit_fix_line(f, g);
	} else if (strcmp(x->id, "labelled-heads") == 0 || strcmp(x->id, "unlabelled-head") == 0) {
		head_lines(f, g, g->heads, g->nheads, NULL);
	}
}

static void
environment(FILE *f, const struct mg_doctor *d)
{
	size_t i;

	if (d->env != NULL) {
		fputs("config: ", f);
		mg_emit_line_safe(f, d->env->ini);
		fprintf(f, " [%s]\n", d->section);
		fputs("script_location: ", f);
		mg_emit_line_safe(f, d->env->script_location);
		fputc('\n', f);
		if (d->env_py_ok) {
			fputs("ok: env.py ", f);
			mg_emit_line_safe(f, d->env_py);
			fputc('\n', f);
		}
		if (d->mako_ok) {
			fputs("ok: script.py.mako ", f);
			mg_emit_line_safe(f, d->mako);
			fputc('\n', f);
		}
	}
	for (i = 0; i < d->nversions; i++) {
		if (!d->version_ok[i])
			continue;
		fputs("ok: versions ", f);
		mg_emit_line_safe(f, d->versions[i]);
		fprintf(f, " (%zu %s%s)\n", d->version_files[i],
		        plural(d->version_files[i], "migration", "migrations"),
		        d->recursive ? ", recursive" : "");
	}
}

void
mg_emit_doctor_text(FILE *f, const struct mg_doctor *d)
{
	const struct mg_revgraph *g = d->graph;
	size_t i, nerr = mg_revgraph_count(g, MG_ERROR), nwarn = mg_revgraph_count(g, MG_WARNING),
	          nnote = mg_revgraph_count(g, MG_NOTE), bad = 0;

	environment(f, d);
	for (i = 0; i < g->nrevs; i++)
		bad += g->revs[i].error != NULL || g->revs[i].revision == NULL;
	if (bad == 0 && g->nrevs > 0)
		fprintf(f, "ok: %zu %s read%s\n", g->nrevs,
		        plural(g->nrevs, "migration", "migrations"),
		        d->full ? " and parsed whole" : "");
	for (i = 0; i < g->nfindings; i++)
		finding(f, g, &g->findings[i]);
	if (g->nheads == 1) {
		fputs("ok: single head ", f);
		describe(f, g, g->heads[0]);
		fputc('\n', f);
	} else if (g->nheads == 0 && g->nnodes == 0) {
		fputs("note: no revisions yet\n", f);
	}
	fprintf(f, "info: %zu %s, %zu %s, %zu %s, %zu %s, %zu %s\n", g->nnodes,
	        plural(g->nnodes, "revision", "revisions"), g->nheads,
	        plural(g->nheads, "head", "heads"), g->nroots, plural(g->nroots, "root", "roots"),
	        g->nmerges, plural(g->nmerges, "merge", "merges"), g->nbranchpoints,
	        plural(g->nbranchpoints, "branch point", "branch points"));
	if (g->chain_len > 0) {
		fprintf(f, "info: longest chain %zu %s, ", g->chain_len,
		        plural(g->chain_len, "revision", "revisions"));
		mg_emit_line_safe(f, mg_revgraph_rev(g, g->chain_from)->revision);
		fputs(" -> ", f);
		mg_emit_line_safe(f, mg_revgraph_rev(g, g->chain_to)->revision);
		fputc('\n', f);
	}
	fprintf(f, "doctor: %zu %s, %zu %s, %zu %s\n", nerr, plural(nerr, "error", "errors"), nwarn,
	        plural(nwarn, "warning", "warnings"), nnote, plural(nnote, "note", "notes"));
}
