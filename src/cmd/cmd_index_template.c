/*
 * `migen index-template`: prints the upgrade() and downgrade() code that
 * builds an index without blocking writes. Every name and SQL fragment on
 * the command line is checked before anything is printed (identifiers by
 * ident.c, expressions by the PostgreSQL parser through sqlcheck.c), so the
 * output holds nothing unvalidated; a refusal prints nothing on stdout.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/cli.h"
#include "migen/ident.h"
#include "migen/snippet.h"
#include "migen/sqlcheck.h"
#include "migen/util.h"

const char mg_index_template_usage[] =
    "usage: migen index-template --table TABLE --columns LIST [--name NAME] [--unique]\n"
    "                            [--where EXPR | --soft-delete[=COLUMN]]\n"
    "                            [--using btree|gin|gist|brin|hash|spgist] [--schema SCHEMA]\n"
    "\n"
    "Prints upgrade() and downgrade() code that builds an index without blocking\n"
    "writes: CREATE INDEX CONCURRENTLY IF NOT EXISTS in an autocommit block (after\n"
    "dropping an INVALID index a failed build left), and DROP INDEX CONCURRENTLY.\n"
    "\n"
    "  --table TABLE          the table to index\n"
    "  --columns LIST         comma-separated columns or index elements, such as\n"
    "                         \"tenant_id,created_at DESC,lower(email)\"\n"
    "  --name NAME            the index name (default ix_<table>_<columns>; past 63\n"
    "                         bytes it is shortened and ends in a hash)\n"
    "  --unique               a unique index\n"
    "  --where EXPR           a partial index over the rows where EXPR holds\n"
    "  --soft-delete[=COLUMN] a partial index over live rows: WHERE COLUMN IS NULL\n"
    "                         (default deleted_at)\n"
    "  --using METHOD         the index method (default btree)\n"
    "  --schema SCHEMA        the table's schema (default: the search path)\n"
    "  -h, --help             print this help\n"
    "\n"
    "A one-word column is a name, double-quoted when PostgreSQL needs it; anything\n"
    "else must be one index element that PostgreSQL's parser accepts.\n"
    "Exit status: 0 printed, 2 bad arguments (nothing printed).\n";

static const char *const methods[] = {"btree", "gin", "gist", "brin", "hash", "spgist", NULL};

/* Letters, digits, '_', '$' and non-ASCII bytes, not starting with a digit or '$'. */
static int
is_one_word(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' || *p >= 0x80))
		return 0;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '$' || *p >= 0x80))
			return 0;
	return 1;
}

static int
is_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c >= 0x80;
}

/*
 * The words of an index element, for its part of the default index name:
 * `lower(email) DESC` gives lower_email. Unquoted words fold to lowercase as
 * PostgreSQL folds them; literals and ordering keywords are left out.
 */
static char *
name_part(const char *elem)
{
	static const char *const skip[] = {"asc",  "desc",    "nulls", "first",
	                                   "last", "collate", NULL};
	struct mg_buf b = {0};
	const char *p = elem;

	while (*p) {
		struct mg_buf w = {0};
		size_t i;

		if (*p == '\'') {
			for (p++; *p && !(*p == '\'' && p[1] != '\''); p += (*p == '\'') ? 2 : 1)
				;
			if (*p)
				p++;
			continue;
		}
		if (*p == '"') {
			for (p++; *p && !(*p == '"' && p[1] != '"'); p++)
				if (is_name_char((unsigned char)*p))
					mg_buf_putc(&w, *p);
				else if (*p == '"')
					p++;
			if (*p)
				p++;
		} else if (is_name_char((unsigned char)*p)) {
			for (; is_name_char((unsigned char)*p); p++)
				mg_buf_putc(&w,
				            (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p);
			for (i = 0; skip[i] != NULL; i++)
				if (strcmp(w.s, skip[i]) == 0)
					break;
			if (skip[i] != NULL)
				w.len = 0;
		} else {
			p++;
			continue;
		}
		if (w.len > 0) {
			if (b.len > 0)
				mg_buf_putc(&b, '_');
			mg_buf_puts(&b, w.s);
		}
		mg_buf_free(&w);
	}
	if (b.len == 0)
		mg_buf_puts(&b, "expr");
	return mg_buf_detach(&b);
}

static int
fail(const char *opt, const char *why)
{
	return mg_usage_error(mg_command_find("index-template"), "%s: %s", opt, why);
}

const struct option mg_index_template_options[] = {
    {"table", required_argument, NULL, 't'}, {"columns", required_argument, NULL, 'c'},
    {"name", required_argument, NULL, 'n'},  {"unique", no_argument, NULL, 'u'},
    {"where", required_argument, NULL, 'w'}, {"soft-delete", optional_argument, NULL, 'd'},
    {"using", required_argument, NULL, 'm'}, {"schema", required_argument, NULL, 's'},
    {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
};

int
mg_cmd_index_template(int argc, char **argv)
{
	const struct mg_command *cmd = mg_command_find("index-template");
	const char *table = NULL, *columns = NULL, *name = NULL, *where = NULL, *soft = NULL;
	const char *method = NULL, *schema = NULL, *why;
	int unique = 0, softdel = 0, ch, status = MG_EXIT_USAGE, shortened = 0;
	char **items = NULL, **sqlcols = NULL, **parts = NULL, *autoname = NULL, *softwhere = NULL;
	size_t nitems = 0, i;
	struct mg_buf out = {0};
	struct mg_index_spec ix;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":h", mg_index_template_options, NULL)) != -1) {
		switch (ch) {
		case 't':
			table = optarg;
			break;
		case 'c':
			columns = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'u':
			unique = 1;
			break;
		case 'w':
			where = optarg;
			break;
		case 'd':
			softdel = 1;
			soft = optarg;
			break;
		case 'm':
			method = optarg;
			break;
		case 's':
			schema = optarg;
			break;
		case 'h':
			mg_print_usage(cmd, stdout);
			return MG_EXIT_OK;
		default: /* ':' or '?' */
			return mg_option_error(cmd, ch, argv);
		}
	}
	if (mg_no_operands(cmd, argc, argv) != 0)
		return MG_EXIT_USAGE;
	if (table == NULL)
		return mg_usage_error(cmd, "--table is required");
	if (columns == NULL)
		return mg_usage_error(cmd, "--columns is required");
	if (where != NULL && softdel)
		return mg_usage_error(cmd, "--where and --soft-delete cannot be used together");
	if ((why = mg_ident_refusal(table)) != NULL)
		return fail("--table", why);
	if (schema != NULL && (why = mg_ident_refusal(schema)) != NULL)
		return fail("--schema", why);
	if (name != NULL && (why = mg_ident_refusal(name)) != NULL)
		return fail("--name", why);
	if (method != NULL) {
		for (i = 0; methods[i] != NULL; i++)
			if (strcmp(method, methods[i]) == 0)
				break;
		if (methods[i] == NULL)
			return fail("--using", "not one of btree, gin, gist, brin, hash, spgist");
		/* Only btree indexes can be unique in PostgreSQL. */
		if (unique && strcmp(method, "btree") != 0)
			return fail("--unique", "only btree indexes can be unique");
	}
	if (where != NULL && mg_sql_check_predicate(where, &why) != 0)
		return fail("--where", why);
	if (softdel) {
		struct mg_buf b = {0};

		if (soft == NULL)
			soft = "deleted_at";
		if ((why = mg_ident_refusal(soft)) != NULL)
			return fail("--soft-delete", why);
		mg_ident_sql(&b, soft);
		mg_buf_puts(&b, " IS NULL");
		softwhere = mg_buf_detach(&b);
	}

	if ((items = mg_sql_split_list(columns, &nitems, &why)) == NULL) {
		free(softwhere);
		return fail("--columns", why);
	}
	sqlcols = mg_xcalloc(nitems, sizeof(*sqlcols));
	parts = mg_xcalloc(nitems + 1, sizeof(*parts));
	parts[0] = mg_xstrdup(table);
	for (i = 0; i < nitems; i++) {
		if (is_one_word(items[i])) {
			struct mg_buf b = {0};

			if ((why = mg_ident_refusal(items[i])) != NULL) {
				mg_usage_error(cmd, "--columns: item %zu: %s", i + 1, why);
				goto out;
			}
			mg_ident_sql(&b, items[i]);
			sqlcols[i] = mg_buf_detach(&b);
			parts[i + 1] = mg_xstrdup(items[i]);
		} else {
			if (mg_sql_check_index_elem(items[i], &why) != 0) {
				mg_usage_error(cmd, "--columns: item %zu: %s", i + 1, why);
				goto out;
			}
			sqlcols[i] = mg_xstrdup(items[i]);
			parts[i + 1] = name_part(items[i]);
		}
	}
	if (name == NULL) {
		autoname =
		    mg_ident_index_name("ix", (const char *const *)parts, nitems + 1, &shortened);
		if ((why = mg_ident_refusal(autoname)) != NULL) {
			fail("--columns",
			     "cannot make an index name from these columns: give --name");
			goto out;
		}
		name = autoname;
	}

	memset(&ix, 0, sizeof(ix));
	ix.name = name;
	ix.table = table;
	ix.schema = schema;
	ix.columns = (const char *const *)sqlcols;
	ix.ncolumns = nitems;
	ix.unique = unique;
	ix.using_method = method;
	ix.where = where != NULL ? where : softwhere;
	ix.comment = shortened
	                 ? "Name cut to PostgreSQL's 63 bytes; the hash at its end keeps it unique."
	                 : NULL;

	mg_buf_puts(&out, "def upgrade() -> None:\n");
	mg_snippet_index_concurrently(&out, &ix, &mg_style_default);
	mg_buf_puts(&out, "\n\ndef downgrade() -> None:\n");
	mg_snippet_drop_index_concurrently(&out, &ix, &mg_style_default);
	fputs(out.s, stdout);
	status = MG_EXIT_OK; /* stdout is checked once, at exit (cli.c) */
out:
	mg_buf_free(&out);
	free(autoname);
	free(softwhere);
	for (i = 0; i < nitems; i++) {
		free(sqlcols[i]);
		free(parts[i + 1]);
	}
	if (parts != NULL)
		free(parts[0]);
	free(sqlcols);
	free(parts);
	mg_sql_list_free(items, nitems);
	return status;
}
