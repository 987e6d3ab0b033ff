/*
 * `migen backfill-template`: prints a batched backfill that commits every
 * batch, followed by NOT NULL the online way, and with --add-column the
 * whole three-step migration. A --default value is bound as a parameter,
 * never pasted into SQL; a --default-sql expression is checked by the
 * PostgreSQL parser (sqlcheck.c). A refusal prints nothing on stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/backfill.h"
#include "migen/cli.h"
#include "migen/ident.h"
#include "migen/pyval.h"
#include "migen/snippet.h"
#include "migen/sqlcheck.h"
#include "migen/util.h"

const char mg_backfill_template_usage[] =
    "usage: migen backfill-template --table TABLE --column COLUMN\n"
    "                               (--default VALUE | --default-sql EXPR)\n"
    "                               [--add-column --type TYPE [--server-default]]\n"
    "                               [--key COLUMN] [--batch-size N] [--sleep SECONDS]\n"
    "                               [--small-table] [--schema SCHEMA]\n"
    "       migen backfill-template --table TABLE --column COLUMN --validate-only\n"
    "                               [--schema SCHEMA]\n"
    "\n"
    "Prints upgrade() and downgrade() code that fills COLUMN where it is NULL, in\n"
    "batches that each commit on their own, then makes it NOT NULL without a long\n"
    "lock (CHECK ... NOT VALID, VALIDATE CONSTRAINT, SET NOT NULL, drop the CHECK).\n"
    "The code also runs offline (alembic upgrade --sql), as one UPDATE.\n"
    "\n"
    "  --table TABLE       the table\n"
    "  --column COLUMN     the column to fill\n"
    "  --default VALUE     the value, bound as a parameter: a number, True or False\n"
    "                      as typed, anything else as a string\n"
    "  --default-sql EXPR  an SQL expression computed per row, e.g. \"lower(email)\"\n"
    "  --add-column        print the whole migration: add the column as nullable,\n"
    "                      backfill, NOT NULL; downgrade drops the column\n"
    "  --type TYPE         the column's SQLAlchemy type for --add-column, e.g.\n"
    "                      sa.String(20), sa.Integer(), postgresql.JSONB()\n"
    "  --key COLUMN        a unique, ordered key to walk in batches (default id)\n"
    "  --batch-size N      rows per batch, 1 to 100000 (default 5000)\n"
    "  --sleep SECONDS     pause between batches, 0 to 60 (default 0.01)\n"
    "  --small-table       plain op.alter_column(nullable=False) instead: scans the\n"
    "                      table under an ACCESS EXCLUSIVE lock\n"
    "  --server-default    with --add-column and a constant --default: one statement,\n"
    "                      add_column(server_default=VALUE, nullable=False), no\n"
    "                      rewrite and no backfill on PostgreSQL 11+\n"
    "  --validate-only     the column is already filled: only the NOT NULL step\n"
    "  --schema SCHEMA     the table's schema (default: the search path)\n"
    "  -h, --help          print this help\n"
    "\n"
    "Rows written while it runs must already carry a value: deploy the code that\n"
    "writes COLUMN first, or VALIDATE stops the migration.\n"
    "Exit status: 0 printed, 2 bad arguments (nothing printed).\n";

static int
fail(const char *opt, const char *why)
{
	return mg_usage_error(mg_command_find("backfill-template"), "%s: %s", opt, why);
}

const struct option mg_backfill_template_options[] = {
    {"table", required_argument, NULL, 't'},
    {"column", required_argument, NULL, 'c'},
    {"default", required_argument, NULL, 'v'},
    {"default-sql", required_argument, NULL, 'e'},
    {"type", required_argument, NULL, 'y'},
    {"key", required_argument, NULL, 'k'},
    {"batch-size", required_argument, NULL, 'b'},
    {"sleep", required_argument, NULL, 'z'},
    {"add-column", no_argument, NULL, 'a'},
    {"small-table", no_argument, NULL, 'S'},
    {"server-default", no_argument, NULL, 'D'},
    {"validate-only", no_argument, NULL, 'V'},
    {"schema", required_argument, NULL, 's'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int
mg_cmd_backfill_template(int argc, char **argv)
{
	const struct mg_command *cmd = mg_command_find("backfill-template");
	const char *table = NULL, *column = NULL, *value = NULL, *value_sql = NULL, *type = NULL;
	const char *key = "id", *batch = "5000", *sleep_s = "0.01", *schema = NULL, *why;
	int add_column = 0, small = 0, server_default = 0, validate_only = 0, ch;
	int batch_given = 0, sleep_given = 0, key_given = 0;
	enum mg_not_null_form form = MG_NN_BACKFILL;
	struct mg_backfill_spec bf;
	struct mg_buf out = {0}, pyvalue = {0};

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":h", mg_backfill_template_options, NULL)) != -1) {
		switch (ch) {
		case 't':
			table = optarg;
			break;
		case 'c':
			column = optarg;
			break;
		case 'v':
			value = optarg;
			break;
		case 'e':
			value_sql = optarg;
			break;
		case 'y':
			type = optarg;
			break;
		case 'k':
			key = optarg;
			key_given = 1;
			break;
		case 'b':
			batch = optarg;
			batch_given = 1;
			break;
		case 'z':
			sleep_s = optarg;
			sleep_given = 1;
			break;
		case 'D':
			server_default = 1;
			break;
		case 'V':
			validate_only = 1;
			break;
		case 'a':
			add_column = 1;
			break;
		case 'S':
			small = 1;
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
	if (column == NULL)
		return mg_usage_error(cmd, "--column is required");
	if (validate_only) {
		/* Nothing is filled: every option about filling would be ignored. */
		if (value != NULL || value_sql != NULL || add_column || server_default ||
		    key_given || batch_given || sleep_given || type != NULL)
			return mg_usage_error(cmd, "--validate-only takes only --table, --column, "
			                           "--schema and --small-table");
		form = MG_NN_VALIDATE_ONLY;
	} else if ((value == NULL) == (value_sql == NULL)) {
		return mg_usage_error(cmd, "give exactly one of --default and --default-sql");
	}
	if (server_default) {
		if (!add_column)
			return mg_usage_error(cmd, "--server-default needs --add-column");
		if (value == NULL)
			return fail(
			    "--server-default",
			    "needs a constant --default; a computed value needs the backfill");
		if (small || key_given || batch_given || sleep_given)
			return mg_usage_error(cmd,
			                      "--server-default prints no backfill: drop "
			                      "--small-table, --key, --batch-size and --sleep");
		form = MG_NN_SERVER_DEFAULT;
	}
	if (add_column && type == NULL)
		return mg_usage_error(cmd, "--add-column needs --type");
	if (type != NULL && !add_column)
		return mg_usage_error(cmd, "--type is only used with --add-column");
	if ((why = mg_ident_refusal(table)) != NULL)
		return fail("--table", why);
	if ((why = mg_ident_refusal(column)) != NULL)
		return fail("--column", why);
	if ((why = mg_ident_refusal(key)) != NULL)
		return fail("--key", why);
	if (schema != NULL && (why = mg_ident_refusal(schema)) != NULL)
		return fail("--schema", why);
	if (strcmp(key, column) == 0)
		return fail("--key", "the key cannot be the column being filled");
	memset(&bf, 0, sizeof(bf));
	if (mg_backfill_parse_batch(batch, &bf.batch_size) != 0)
		return fail("--batch-size", "must be a whole number from 1 to 100000");
	if (mg_backfill_check_sleep(sleep_s) != 0)
		return fail("--sleep", "must be a number of seconds from 0 to 60, such as 0.01");
	if (type != NULL && (why = mg_pyval_type_refusal(type)) != NULL)
		return fail("--type", why);
	if (value != NULL) {
		/* NULL never fills anything: the NOT NULL step could only fail. */
		if (strcmp(value, "None") == 0)
			return fail("--default", "None would leave the column NULL");
		if ((why = mg_pyval_str_refusal(value)) != NULL)
			return fail("--default", why);
		if (mg_pyval_is_plain(value))
			mg_buf_puts(&pyvalue, value);
		else
			mg_snippet_pystr(&pyvalue, value, mg_style_default.quote);
	} else if (value_sql != NULL) {
		if (mg_sql_check_expr(value_sql, &why) != 0)
			return fail("--default-sql", why);
		if (mg_sql_is_null(value_sql))
			return fail("--default-sql", "NULL would leave the column NULL");
	}

	bf.table = table;
	bf.schema = schema;
	bf.column = column;
	bf.key = key;
	bf.value_python = value != NULL ? pyvalue.s : NULL;
	bf.value_sql = value_sql;
	bf.type_python = type;
	bf.sleep = sleep_s;
	bf.small_table = small;

	mg_buf_puts(&out, "def upgrade() -> None:\n");
	mg_snippet_not_null(&out, &bf, form, add_column, &mg_style_default);
	mg_buf_puts(&out, "\n\ndef downgrade() -> None:\n");
	mg_snippet_backfill_downgrade(&out, &bf, add_column, &mg_style_default);
	fputs(out.s, stdout);
	mg_buf_free(&out);
	mg_buf_free(&pyvalue);
	return MG_EXIT_OK; /* stdout is checked once, at exit (cli.c) */
}
