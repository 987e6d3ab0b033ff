/*
 * The text emitter: the seed's report shape (migration info, tables created,
 * suggestions with the code to paste), with diagnostics in the compiler
 * form "path:line:col: warning: message [rule]" that editors can jump to.
 * Everything that comes from the input is written through mg_emit_safe().
 */
#include <stdlib.h>
#include <string.h>

#include "migen/emit.h"

void
mg_emit_escaped(FILE *f, const char *s, int keep_layout)
{
	const unsigned char *p;

	if (s == NULL) {
		fputs("?", f);
		return;
	}
	/* C0 controls, DEL and C1 controls could drive the terminal; everything
	 * else, UTF-8 included, is printed as is. */
	for (p = (const unsigned char *)s; *p; p++) {
		if ((*p < 0x20 && !(keep_layout && (*p == '\n' || *p == '\t'))) || *p == 0x7f)
			fprintf(f, "\\%03o", *p);
		else if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
			fprintf(f, "\\%03o\\%03o", p[0], p[1]);
			p++;
		} else
			fputc(*p, f);
	}
}

void
mg_emit_safe(FILE *f, const char *s)
{
	mg_emit_escaped(f, s, 1);
}

static void
list(FILE *f, const struct mg_strlist *l)
{
	size_t i;

	if (!l->present) {
		fputs("(not set)", f);
		return;
	}
	if (!l->known) {
		fputs("(not a literal)", f);
		return;
	}
	if (l->n == 0) {
		fputs("None", f);
		return;
	}
	for (i = 0; i < l->n; i++) {
		if (i)
			fputs(", ", f);
		mg_emit_safe(f, l->v[i]);
	}
	if (l->n > 1)
		fputs(" (merge)", f);
}

static void
index_line(FILE *f, const struct mg_index *ix)
{
	size_t i;

	fputs(ix->kind == MG_IX_PRIMARY_KEY ? "primary key"
	      : ix->kind == MG_IX_UNIQUE    ? "unique"
	                                    : "index",
	      f);
	if (ix->name != NULL) {
		fputc(' ', f);
		mg_emit_safe(f, ix->name);
	} else if (ix->kind == MG_IX_INDEX && ix->unique) {
		fputs(" (unique)", f);
	}
	fputs(" (", f);
	if (!ix->columns_known)
		fputs("?", f);
	for (i = 0; ix->columns_known && i < ix->ncolumns; i++) {
		if (i)
			fputs(", ", f);
		mg_emit_safe(f, ix->columns[i]);
	}
	fputc(')', f);
	if (ix->where != NULL) {
		fputs(" WHERE ", f);
		mg_emit_safe(f, ix->where);
	}
}

static void
tables(FILE *f, const struct mg_model *m, const struct mg_options *o)
{
	size_t i, j, n = 0;

	for (i = 0; i < m->ntables; i++)
		if (m->ops[m->tables[i].op].dir == MG_UPGRADE)
			n++;
	fputs("\nTables created:", f);
	if (n == 0) {
		fputs(" none\n", f);
		return;
	}
	fputc('\n', f);
	for (i = 0; i < m->ntables; i++) {
		const struct mg_table *t = &m->tables[i];
		int any = 0;

		if (m->ops[t->op].dir != MG_UPGRADE)
			continue;
		fputs("  - ", f);
		mg_emit_safe(f, t->name);
		fprintf(f, " (line %u)\n", (unsigned)t->line);
		fputs("    ", f);
		mg_emit_safe(f, o->tenant_column);
		fprintf(f, ": %s  ", mg_table_column(t, o->tenant_column) ? "YES" : "NO");
		mg_emit_safe(f, o->space_column);
		fprintf(f, ": %s  soft delete (",
		        mg_table_column(t, o->space_column) ? "YES" : "NO");
		mg_emit_safe(f, o->soft_delete_column);
		fprintf(f, "): %s\n", mg_table_column(t, o->soft_delete_column) ? "YES" : "NO");
		for (j = mg_model_table_index(m, t->name, 0); j < m->nindexes;
		     j = mg_model_table_index(m, t->name, j + 1)) {
			const struct mg_index *ix = &m->indexes[j];
			fputs(any ? "             " : "    indexes: ", f);
			index_line(f, ix);
			fputc('\n', f);
			any = 1;
		}
		if (!any)
			fputs("    indexes: none\n", f);
	}
}

/* "path:line:col: severity: message [rule]" and a newline. */
static void
diag_line(FILE *f, const struct mg_model *m, const struct mg_diag *g)
{
	mg_emit_safe(f, m->path);
	fprintf(f, ":%u:%u: %s: ", (unsigned)g->line, (unsigned)g->col,
	        mg_severity_name(g->severity));
	mg_emit_safe(f, g->message);
	fprintf(f, " [%s]\n", g->rule);
}

/* "path:line:col: note: message": what the analysis could not see. */
static void
note_line(FILE *f, const struct mg_model *m, const struct mg_error *n)
{
	mg_emit_safe(f, m->path);
	fprintf(f, ":%u:%u: note: ", (unsigned)n->line, (unsigned)n->col);
	mg_emit_safe(f, n->message);
	fputc('\n', f);
}

/* A note with no code to add: nothing to do, so it is listed, not explained at length. */
static int
informational(const struct mg_diag *g)
{
	return g->severity == MG_NOTE && g->code == NULL && g->downgrade == NULL;
}

/* The explanation of a note: what follows its first ": " (the whole message without one). */
static const char *
reason_of(const char *msg, size_t *headlen)
{
	const char *colon = msg ? strstr(msg, ": ") : NULL;

	*headlen = colon ? (size_t)(colon - msg) : 0;
	return colon ? colon + 2 : NULL;
}

/*
 * The notes that need no action, once each and compactly: notes of one rule
 * that give the same reason share one line with that reason, then a line
 * per place ("line 37: index ix_a on 'documents' stays transactional").
 */
static void
quiet_notes(FILE *f, const struct mg_diags *d)
{
	unsigned char *done = mg_xcalloc(d->n + 1, 1);
	size_t i, j, any = 0;

	for (i = 0; i < d->n; i++) {
		const struct mg_diag *g = &d->v[i];
		const char *why;
		size_t head;

		if (!informational(g) || done[i])
			continue;
		if (!any++)
			fputs("\nNotes (no action needed):\n", f);
		why = reason_of(g->message, &head);
		if (why == NULL) {
			fprintf(f, "  %s: line %u: ", g->rule, (unsigned)g->line);
			mg_emit_safe(f, g->message);
			fputc('\n', f);
			continue;
		}
		fprintf(f, "  %s: ", g->rule);
		mg_emit_safe(f, why);
		fputc('\n', f);
		for (j = i; j < d->n; j++) {
			const struct mg_diag *h = &d->v[j];
			const char *hw;
			size_t hh;
			char *text;

			if (done[j] || !informational(h) || strcmp(h->rule, g->rule) != 0)
				continue;
			hw = reason_of(h->message, &hh);
			if (hw == NULL || strcmp(hw, why) != 0)
				continue;
			done[j] = 1;
			text = mg_xmalloc(hh + 1);
			memcpy(text, h->message, hh);
			text[hh] = '\0';
			fprintf(f, "    line %u: ", (unsigned)h->line);
			mg_emit_safe(f, text);
			fputc('\n', f);
			free(text);
		}
	}
	free(done);
}

void
mg_emit_suggestions(FILE *f, const struct mg_model *m, const struct mg_diags *d, int reasons)
{
	size_t i, n = 0;

	for (i = 0; i < d->n; i++)
		n += !informational(&d->v[i]);
	fputs("\nSuggestions:", f);
	if (n == 0)
		fputs(" none\n", f);
	else
		fputc('\n', f);
	for (i = 0; i < d->n; i++) {
		const struct mg_diag *g = &d->v[i];

		if (informational(g))
			continue;
		fputc('\n', f);
		diag_line(f, m, g);
		if (g->note != NULL) {
			fputs("# Note: ", f);
			mg_emit_safe(f, g->note);
			fputc('\n', f);
		}
		if (reasons && g->not_applied != NULL && g->code != NULL) {
			fputs("# Not applied: ", f);
			mg_emit_safe(f, g->not_applied);
			fputc('\n', f);
		}
		if (g->code != NULL) {
			fputs("# Add to ", f);
			mg_emit_safe(f, g->where);
			fputs(":\n", f);
			mg_emit_safe(f, g->code);
		}
		if (g->downgrade != NULL) {
			fputs("# Add to ", f);
			mg_emit_safe(f, g->downgrade_where ? g->downgrade_where : "downgrade()");
			fputs(":\n", f);
			mg_emit_safe(f, g->downgrade);
		}
	}
	quiet_notes(f, d);
}

void
mg_emit_findings(FILE *f, const struct mg_model *m, const struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		diag_line(f, m, &d->v[i]);
	for (i = 0; i < m->nnotes; i++)
		note_line(f, m, &m->notes[i]);
}

void
mg_emit_errors(FILE *f, const struct mg_model *m)
{
	size_t i;

	for (i = 0; i < m->nerrors; i++) {
		mg_emit_safe(f, m->path);
		if (m->errors[i].line > 0)
			fprintf(f, ":%u:%u", (unsigned)m->errors[i].line,
			        (unsigned)m->errors[i].col);
		fputs(": error: ", f);
		mg_emit_safe(f, m->errors[i].message);
		fputc('\n', f);
	}
}

void
mg_emit_text(FILE *f, const struct mg_model *m, const struct mg_diags *d,
             const struct mg_options *o)
{
	const struct mg_revinfo *r = &m->rev;
	size_t i, up = 0, down = 0;

	fputs("Migration: ", f);
	mg_emit_safe(f, m->path);
	fputs("\n  Revision:      ", f);
	if (r->revision != NULL)
		mg_emit_safe(f, r->revision);
	else
		fputs(r->has_revision ? "(not a literal)" : "(not set)", f);
	fputs("\n  Down revision: ", f);
	list(f, &r->down_revision);
	if (r->branch_labels.present && r->branch_labels.n > 0) {
		fputs("\n  Branch labels: ", f);
		list(f, &r->branch_labels);
	}
	if (r->depends_on.present && r->depends_on.n > 0) {
		fputs("\n  Depends on:    ", f);
		list(f, &r->depends_on);
	}
	fputs("\n  Message:       ", f);
	mg_emit_safe(f, r->message ? r->message : "(none)");
	fputc('\n', f);

	tables(f, m, o);

	for (i = 0; i < m->nops; i++) {
		if (m->ops[i].source != MG_SRC_OP)
			continue;
		if (m->ops[i].dir == MG_UPGRADE)
			up++;
		else
			down++;
	}
	fprintf(f, "\nOperations: %zu in upgrade(), %zu in downgrade()\n", up, down);

	if (m->nnotes > 0) {
		fputs("\nNot analysed:\n", f);
		for (i = 0; i < m->nnotes; i++)
			note_line(f, m, &m->notes[i]);
	}
	mg_emit_suggestions(f, m, d, 0);
}
