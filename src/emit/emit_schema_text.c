/*
 * The replayed schema as a person reads a table: each column with its type,
 * nullability and default; the keys, indexes and constraints; the revision
 * that made each (and the last that changed it); what migen could not see.
 * Names from the files pass through mg_emit_safe (no control characters).
 */
#include <stdlib.h>
#include <string.h>

#include "migen/emit.h"
#include "migen/emit_schema.h"

static void
safe(FILE *f, const char *s)
{
	mg_emit_safe(f, s != NULL ? s : "?");
}

static void
origin(FILE *f, const struct mg_origin *o)
{
	fputs("  [", f);
	safe(f, o->created ? o->created : "?");
	if (o->changed != NULL && o->created != NULL && strcmp(o->changed, o->created) != 0) {
		fputs(", changed ", f);
		safe(f, o->changed);
	}
	fputs("]\n", f);
}

static void
list(FILE *f, const char *const *v, size_t n)
{
	size_t i;

	fputc('(', f);
	for (i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		safe(f, v[i]);
	}
	fputc(')', f);
}

static size_t
width(const struct mg_stable *t, int type)
{
	size_t i, w = 0;

	for (i = 0; i < t->ncolumns; i++) {
		const char *s = type ? t->columns[i].type : t->columns[i].name;
		size_t n = s ? strlen(s) : 1;
		if (n > w)
			w = n;
	}
	return w > 40 ? 40 : w;
}

static void
pad(FILE *f, const char *s, size_t w)
{
	size_t n = s ? strlen(s) : 1;

	safe(f, s);
	while (n++ < w)
		fputc(' ', f);
}

static void
table(FILE *f, const struct mg_stable *t)
{
	size_t i, wn = width(t, 0), wt = width(t, 1);
	struct mg_uncertain *sorted;
	int any;

	fputs("table ", f);
	safe(f, t->schema);
	fputc('.', f);
	safe(f, t->name);
	origin(f, &t->rev);
	for (i = 0; i < t->ncolumns; i++) {
		const struct mg_scolumn *c = &t->columns[i];
		fputs("  ", f);
		pad(f, c->name, wn);
		fputs("  ", f);
		pad(f, c->type ? c->type : "(type not known)", wt);
		fputs(c->nullable == MG_NO    ? "  not null"
		      : c->nullable == MG_YES ? "  null    "
		                              : "  null?   ",
		      f);
		if (c->identity)
			fputs("  identity", f);
		if (c->generated)
			fputs("  generated", f);
		if (c->dflt != NULL) {
			fputs("  default ", f);
			safe(f, c->dflt);
		}
		origin(f, &c->rev);
	}
	for (i = 0; i < t->nindexes; i++) {
		const struct mg_sindex *ix = &t->indexes[i];
		fputs(ix->kind == MG_IX_PRIMARY_KEY ? "  primary key "
		      : ix->kind == MG_IX_UNIQUE    ? "  unique "
		      : ix->unique                  ? "  unique index "
		                                    : "  index ",
		      f);
		safe(f, ix->name ? ix->name : "(name not known)");
		fputc(' ', f);
		list(f, ix->columns, ix->ncolumns);
		if (ix->method != NULL && strcmp(ix->method, "btree") != 0) {
			fputs(" using ", f);
			safe(f, ix->method);
		}
		if (ix->where != NULL) {
			fputs(" where ", f);
			safe(f, ix->where);
		}
		if (!ix->valid)
			fputs(" INVALID", f);
		origin(f, &ix->rev);
	}
	for (i = 0; i < t->nfkeys; i++) {
		const struct mg_sfkey *fk = &t->fkeys[i];
		fputs("  foreign key ", f);
		safe(f, fk->name ? fk->name : "(name not known)");
		fputc(' ', f);
		list(f, fk->columns, fk->ncolumns);
		fputs(" -> ", f);
		safe(f, fk->ref_schema ? fk->ref_schema : "public");
		fputc('.', f);
		safe(f, fk->ref_table);
		if (fk->ref_columns != NULL)
			list(f, fk->ref_columns, fk->nref_columns);
		if (fk->on_delete != NULL && strcmp(fk->on_delete, "NO ACTION") != 0) {
			fputs(" on delete ", f);
			safe(f, fk->on_delete);
		}
		if (!fk->validated)
			fputs(" NOT VALID", f);
		origin(f, &fk->rev);
	}
	for (i = 0; i < t->nchecks; i++) {
		const struct mg_scheck *k = &t->checks[i];
		fputs("  check ", f);
		safe(f, k->name ? k->name : "(name not known)");
		fputs(" (", f);
		safe(f, k->expr);
		fputc(')', f);
		if (!k->validated)
			fputs(" NOT VALID", f);
		origin(f, &k->rev);
	}
	sorted = mg_schema_sorted_uncertain(t->uncertain, t->nuncertain);
	for (i = 0, any = 0; i < t->nuncertain; i++) {
		const struct mg_uncertain *u = &sorted[i];
		if (!any++)
			fputs("  not known for certain:\n", f);
		fputs("    ", f);
		safe(f, u->path);
		if (u->line > 0)
			fprintf(f, ":%u", (unsigned)u->line);
		fputs(": ", f);
		safe(f, u->reason);
		fputc('\n', f);
	}
	free(sorted);
}

void
mg_emit_schema_text(FILE *f, const struct mg_schema *s, const struct mg_stable *const *tables,
                    size_t ntables)
{
	const struct mg_stable **all = NULL;
	size_t i;

	if (tables == NULL) {
		all = mg_schema_sorted_tables(s, &ntables);
		tables = all;
	}
	fputs("schema at ", f);
	for (i = 0; i < s->nrevisions; i++) {
		if (i)
			fputs(", ", f);
		safe(f, s->revisions[i]);
	}
	if (s->nrevisions == 0)
		fputs("(no revision)", f);
	fprintf(f, ": %zu table%s\n", s->ntables, s->ntables == 1 ? "" : "s");
	for (i = 0; i < ntables; i++) {
		fputc('\n', f);
		table(f, tables[i]);
	}
	if (all != NULL) {
		for (i = 0; i < s->nenums; i++) {
			size_t k;
			fputs(i == 0 ? "\n" : "", f);
			fputs("enum ", f);
			safe(f, s->enums[i].schema);
			fputc('.', f);
			safe(f, s->enums[i].name);
			fputs(" ", f);
			if (s->enums[i].labels_known) {
				fputc('(', f);
				for (k = 0; k < s->enums[i].nlabels; k++) {
					fputs(k ? ", '" : "'", f);
					safe(f, s->enums[i].labels[k]);
					fputc('\'', f);
				}
				fputc(')', f);
			} else {
				fputs("(labels not known)", f);
			}
			origin(f, &s->enums[i].rev);
		}
		for (i = 0; i < s->nsequences; i++) {
			fputs(i == 0 ? "\n" : "", f);
			fputs("sequence ", f);
			safe(f, s->sequences[i].schema);
			fputc('.', f);
			safe(f, s->sequences[i].name);
			origin(f, &s->sequences[i].rev);
		}
		struct mg_uncertain *u = mg_schema_sorted_uncertain(s->uncertain, s->nuncertain);
		for (i = 0; i < s->nuncertain; i++) {
			if (i == 0)
				fputs("\nnot known for certain (any table, or one migen cannot "
				      "name):\n",
				      f);
			fputs("  ", f);
			safe(f, u[i].path);
			if (u[i].line > 0)
				fprintf(f, ":%u", (unsigned)u[i].line);
			fputs(": ", f);
			safe(f, u[i].reason);
			fputc('\n', f);
		}
		free(u);
	}
	free(all);
}
