/*
 * The sample reports (lint_sample.h), built the way the engine builds one:
 * strings in the report's arena, findings in report order, counts kept.
 */
#include <stdlib.h>
#include <string.h>

#include "lint_sample.h"
#include "migen/util.h"

/* The example that a big report's findings point into (one at a time). */
static struct mg_lint_report big_keep;

static size_t
file(struct mg_lint_report *r, const char *path, const char *rev, const char *src)
{
	struct mg_lint_file *fl;

	mg_grow(&r->files, &r->capfiles, r->nfiles + 1, sizeof(*r->files));
	fl = &r->files[r->nfiles];
	memset(fl, 0, sizeof(*fl));
	fl->path = mg_arena_strdup(&r->arena, path);
	fl->revision = rev != NULL ? mg_arena_strdup(&r->arena, rev) : NULL;
	if (src != NULL) {
		fl->src = mg_arena_strdup(&r->arena, src);
		fl->len = strlen(src);
	}
	return r->nfiles++;
}

static const char *
dup(struct mg_lint_report *r, const char *s)
{
	return s != NULL ? mg_arena_strdup(&r->arena, s) : NULL;
}

static struct mg_finding *
add(struct mg_lint_report *r, size_t fi, const char *rule, enum mg_severity sev, uint32_t line,
    uint32_t col, uint32_t end_line, uint32_t end_col, const char *message, const char *help)
{
	struct mg_finding *fd;

	mg_grow(&r->v, &r->cap, r->n + 1, sizeof(*r->v));
	fd = &r->v[r->n++];
	memset(fd, 0, sizeof(*fd));
	fd->rule = dup(r, rule);
	fd->severity = sev;
	fd->file = fi;
	fd->line = line;
	fd->col = col;
	fd->end_line = end_line;
	fd->end_col = end_col;
	fd->message = dup(r, message);
	fd->help = dup(r, help);
	r->by_severity[sev]++;
	return fd;
}

static void
suppress(struct mg_lint_report *r, struct mg_finding *fd, const char *reason, uint32_t line)
{
	fd->suppressed = 1;
	fd->suppress_reason = dup(r, reason);
	fd->suppress_line = line;
	r->by_severity[fd->severity]--;
	r->suppressed++;
}

/* Byte offset of a 1-based line and byte column in the file's source. */
static size_t
offset(const struct mg_lint_file *fl, uint32_t line, uint32_t col)
{
	size_t i = 0;
	uint32_t n = 1;

	while (n < line && i < fl->len) {
		if (fl->src[i++] == '\n')
			n++;
	}
	return i + col - 1;
}

/* The column just past the end of a line: the end of a span over the whole line. */
static uint32_t
eol(const struct mg_lint_report *r, size_t fi, uint32_t line)
{
	const struct mg_lint_file *fl = &r->files[fi];
	size_t start = offset(fl, line, 1), end = start;

	while (end < fl->len && fl->src[end] != '\n')
		end++;
	return (uint32_t)(end - start + 1);
}

/* A fix of one edit: insert text at the end of the line (before its newline). */
static void
insert_after_line(struct mg_lint_report *r, struct mg_finding *fd, uint32_t line, const char *text)
{
	const struct mg_lint_file *fl = &r->files[fd->file];
	size_t start = offset(fl, line, 1), end = start;
	struct mg_finding_edit *e;

	while (end < fl->len && fl->src[end] != '\n')
		end++;
	e = mg_arena_alloc(&r->arena, sizeof(*e));
	e->start = e->end = end;
	e->start_line = e->end_line = line;
	e->start_col = e->end_col = (uint32_t)(end - start + 1);
	e->text = dup(r, text);
	fd->edits = e;
	fd->nedits = 1;
}

void
lint_sample_example(struct mg_lint_report *r)
{
	struct mg_finding *fd;
	size_t orders, customers;

	memset(r, 0, sizeof(*r));
	customers = file(r, "alembic/versions/9e8d7c6b5a41_create_customers.py", "9e8d7c6b5a41",
	                 "\"\"\"create customers\"\"\"\n"
	                 "from alembic import op\n"
	                 "import sqlalchemy as sa\n"
	                 "\n"
	                 "revision = \"9e8d7c6b5a41\"\n"
	                 "down_revision = None\n"
	                 "\n"
	                 "\n"
	                 "def upgrade():\n"
	                 "    # migen: ignore[require-concurrent-index]\n"
	                 "    op.create_table(\"customers\", sa.Column(\"id\", sa.Integer(), "
	                 "primary_key=True))\n");
	orders =
	    file(r, "alembic/versions/4f1c2a9b7d30_add_orders_customer_id.py", "4f1c2a9b7d30",
	         "\"\"\"add orders.customer_id\"\"\"\n"
	         "from alembic import op\n"
	         "import sqlalchemy as sa\n"
	         "\n"
	         "revision = \"4f1c2a9b7d30\"\n"
	         "down_revision = \"9e8d7c6b5a41\"\n"
	         "\n"
	         "\n"
	         "def upgrade():\n"
	         "    op.add_column(\"orders\", sa.Column(\"customer_id\", sa.Integer(), "
	         "nullable=False))\n"
	         "    op.create_foreign_key(None, \"orders\", \"customers\", "
	         "[\"customer_id\"], [\"id\"])\n"
	         "    # migen: ignore[require-concurrent-index] orders is empty until the launch\n"
	         "    op.create_index(\"ix_orders_created_at\", \"orders\", [\"created_at\"])\n");

	add(r, customers, MG_RULE_IGNORE_WITHOUT_REASON, MG_WARNING, 10, 5, 10,
	    eol(r, customers, 10), "this ignore comment gives no reason",
	    "say why after the bracket: `# migen: ignore[rule] reason`");
	fd = add(r, customers, MG_RULE_UNUSED_IGNORE, MG_NOTE, 10, 5, 10, eol(r, customers, 10),
	         "ignore[require-concurrent-index] matches no finding on this line or the next",
	         "remove the comment");
	(void)fd;
	add(r, orders, "not-null-without-backfill", MG_ERROR, 10, 5, 10, eol(r, orders, 10),
	    "NOT NULL column orders.customer_id is added without a server_default: it fails on a "
	    "table that has rows",
	    "add the column nullable, backfill it in batches, then make it NOT NULL");
	fd = add(r, orders, "missing-fk-index", MG_WARNING, 11, 5, 11, eol(r, orders, 11),
	         "unnamed foreign key on line 11 (orders.customer_id -> customers) has no index "
	         "leading with customer_id: deletes and key updates on 'customers', and joins from "
	         "it, scan 'orders'",
	         "create an index leading with customer_id");
	fd->where = dup(r, "upgrade(), after line 11");
	fd->code =
	    dup(r, "op.create_index(\"ix_orders_customer_id\", \"orders\", [\"customer_id\"])");
	insert_after_line(r, fd, 11,
	                  "\n    op.create_index(\"ix_orders_customer_id\", \"orders\", "
	                  "[\"customer_id\"])");
	fd = add(r, orders, "require-concurrent-index", MG_WARNING, 13, 5, 13, eol(r, orders, 13),
	         "index ix_orders_created_at on the existing table orders is created without "
	         "CONCURRENTLY: writes to orders wait until it is built",
	         "create it with postgresql_concurrently=True in an autocommit block");
	suppress(r, fd, "orders is empty until the launch", 12);
	r->seconds = 0.012;
}

void
lint_sample_hostile(struct mg_lint_report *r)
{
	struct mg_finding *fd;
	size_t spaced, weird, bare, i;
	struct mg_finding_edit *e;

	memset(r, 0, sizeof(*r));
	spaced = file(r, "alembic/versions/1a2b add users.py", "1a2b3c4d5e6f",
	              "\"\"\"add users\"\"\"\n"
	              "def upgrade():\n"
	              "\top.add_column(\"users\", sa.Column(\"tenant_id\", sa.Integer(), "
	              "nullable=False))\n"
	              "    op.execute(\"UPDATE t SET a = '\x1b[31mred'\")\r\n"
	              "    op.create_index(\"ix\", \"t\", [\"a\"])\n"
	              "    op.create_index(\"ix\", \"t\", [\"a\"])\n"
	              "    op.alter_column(\"users\", \"name\",\n"
	              "                    nullable=False)\n");
	weird = file(r, "dir,with:colon/100%/ünï \"q\"\\b.py", NULL,
	             "op.execute(\"INSERT INTO t VALUES ('é') -- \xff\")\n");
	bare = file(r, "gone.py", "dead\nbeef", NULL);

	add(r, spaced, "not-null-without-backfill", MG_ERROR, 3, 2, 3, 78,
	    "NOT NULL column users.tenant_id is added without a server_default",
	    "add it nullable, backfill, then SET NOT NULL");
	fd = add(r, spaced, "invalid-sql", MG_WARNING, 4, 5, 4, 44,
	         "SQL \"UPDATE\" has \x1b[31mcontrol\x1b[0m bytes\x01 and a tab\there",
	         "line one\nline two\r\nline three");
	fd->where = dup(r, "upgrade(), in place of line 4");
	fd->code = dup(r, "op.execute(\"UPDATE t SET a = 'red'\")\n# a second line");
	e = mg_arena_alloc(&r->arena, 2 * sizeof(*e));
	e[0].start = 64 + 0;
	e[0].end = 64 + 2;
	e[0].start_line = e[0].end_line = 4;
	e[0].start_col = 1;
	e[0].end_col = 3;
	e[0].text = dup(r, "\t\"quoted\" \\ back\n");
	e[1].start = e[1].end = 70;
	e[1].start_line = e[1].end_line = 4;
	e[1].start_col = e[1].end_col = 7;
	e[1].text = dup(r, "");
	fd->edits = e;
	fd->nedits = 2;
	for (i = 5; i <= 6; i++)
		add(r, spaced, "missing-tenant-index", MG_NOTE, (uint32_t)i, 5, (uint32_t)i, 39,
		    "index ix: the same line twice, two fingerprints", NULL);
	fd = add(r, spaced, "require-concurrent-index", MG_WARNING, 5, 5, 5, 39,
	         "suppressed: never in text", NULL);
	suppress(r, fd, "reason with \"quotes\", a:colon, 100% and\na newline", 4);
	/* A span over two lines, ending at column 1 of the line after. */
	add(r, spaced, "not-null-without-backfill", MG_WARNING, 7, 5, 9, 1,
	    "users.name is made NOT NULL with no backfill", NULL);
	add(r, weird, "drop-unnamed-constraint", MG_ERROR, 1, 1, 1, 47,
	    "message: with %25, ::error:: a,b \"q\" \\ é \xff and\nnewline", "help: 50% :: ,");
	add(r, weird, MG_RULE_UNUSED_IGNORE, MG_NOTE, 1, 12, 1, 13, "a rule migen does not know",
	    NULL);
	/* No bytes for this file, and a span whose end is before its start. */
	add(r, bare, "made-up-rule", MG_WARNING, 3, 7, 2, 1, "unknown rule id, bad span", NULL);
	add(r, bare, MG_RULE_IGNORE_WITHOUT_REASON, MG_WARNING, 1, 1, 1, 2, "", "");
	/* A span of nine lines (shown cut), and one as large as the fields allow. */
	add(r, spaced, "invalid-sql", MG_NOTE, 1, 1, 9, 1, "a long span", NULL);
	add(r, weird, "invalid-sql", MG_WARNING, 1, 40, UINT32_MAX, UINT32_MAX, "huge span", NULL);
	r->seconds = 1.5;
}

void
lint_sample_big(struct mg_lint_report *r, size_t copies)
{
	struct mg_lint_report one;
	size_t c, i, j;

	memset(r, 0, sizeof(*r));
	lint_sample_example(&one);
	for (c = 0; c < copies; c++) {
		size_t base = r->nfiles;

		for (i = 0; i < one.nfiles; i++) {
			char *path = mg_arena_printf(&r->arena, "v%zu/%s", c, one.files[i].path);

			file(r, path, one.files[i].revision, one.files[i].src);
		}
		for (i = 0; i < one.n; i++) {
			mg_grow(&r->v, &r->cap, r->n + 1, sizeof(*r->v));
			r->v[r->n] = one.v[i];
			r->v[r->n].file = base + one.v[i].file;
			r->n++;
		}
		for (j = 0; j < 3; j++)
			r->by_severity[j] += one.by_severity[j];
		r->suppressed += one.suppressed;
	}
	/* The findings' strings stay in the example's arena: keep it with the report. */
	r->seconds = 0;
	big_keep = one;
}

void
lint_sample_shift(struct mg_lint_report *r, uint32_t lines)
{
	size_t i, j;

	for (i = 0; i < r->nfiles; i++) {
		struct mg_lint_file *fl = &r->files[i];
		char *s;

		if (fl->src == NULL)
			continue;
		s = mg_arena_alloc(&r->arena, fl->len + lines + 1);
		memset(s, '\n', lines);
		memcpy(s + lines, fl->src, fl->len);
		fl->src = s;
		fl->len += lines;
	}
	for (i = 0; i < r->n; i++) {
		struct mg_finding *fd = &r->v[i];

		fd->line += lines;
		fd->end_line += lines;
		if (fd->suppressed)
			fd->suppress_line += lines;
		for (j = 0; j < fd->nedits; j++) {
			fd->edits[j].start += lines;
			fd->edits[j].end += lines;
			fd->edits[j].start_line += lines;
			fd->edits[j].end_line += lines;
		}
	}
}

void
lint_sample_free(struct mg_lint_report *r)
{
	if (big_keep.v != NULL) {
		struct mg_lint_report k = big_keep;

		memset(&big_keep, 0, sizeof(big_keep));
		lint_sample_free(&k);
	}
	free(r->v);
	free(r->files);
	mg_arena_free(&r->arena);
	memset(r, 0, sizeof(*r));
}
