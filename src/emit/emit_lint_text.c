/*
 * `--format text`: findings the way rustc and squawk show them, for people
 * at a terminal:
 *
 *   warning[missing-fk-index]: unnamed foreign key on line 11 ...
 *     --> alembic/versions/4f1c2a9b7d30_add.py:11:5
 *      |
 *   11 |     op.create_foreign_key(None, "orders", "customers", ...)
 *      |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
 *      |
 *      = help: create an index leading with customer_id
 *      = help: in upgrade(), after line 11:
 *              op.create_index("ix_orders_customer_id", ...)
 *
 * Suppressed findings are not shown. Source lines are shown safely: a tab
 * becomes four spaces, control bytes and bytes that are not UTF-8 become
 * \ooo, and the underline is placed by those display widths, so it stays
 * under the span. ANSI colours only when the options say so.
 */
#include <string.h>

#include "emit_lint.h"

/* Spans longer than this many lines show their first and last two. */
#define MAX_SHOWN 5

struct style {
	const char *sev, *bold, *blue, *off;
};

static struct style
style_for(const struct mg_lint_emit_opts *o, enum mg_severity s)
{
	struct style st = {"", "", "", ""};

	if (o != NULL && o->color == MG_COLOR_ALWAYS) {
		st.sev = s == MG_ERROR ? "\033[1;31m" : s == MG_NOTE ? "\033[1;32m" : "\033[1;33m";
		st.bold = "\033[1m";
		st.blue = "\033[1;34m";
		st.off = "\033[0m";
	}
	return st;
}

static int
digits(uint32_t n)
{
	int d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

/* Bytes of the valid UTF-8 sequence at s (at most n bytes), or 0. C1
 * controls (U+0080..U+009F) count as invalid: they could drive a terminal. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;

	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if (s[0] == 0xC2 && s[1] <= 0x9F)
		return 0;
	return len;
}

/* Display column (0-based) of byte k of the line, as line() prints it. */
static size_t
dcol(const char *s, size_t len, size_t k)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, w = 0, n;

	while (i < len && i < k) {
		if (p[i] == '\t') {
			w += 4;
			i++;
		} else if (p[i] < 0x20 || p[i] == 0x7f) {
			w += 4;
			i++;
		} else if (p[i] < 0x80) {
			w++;
			i++;
		} else if ((n = utf8_seq(p + i, len - i)) > 0) {
			w++;
			i += n;
		} else {
			w += 4;
			i++;
		}
	}
	return k > len ? w + (k - len) : w;
}

enum tabs { TAB_ESCAPE, TAB_SPACES, TAB_KEEP };

/* Bytes s[0..len) made safe for a terminal: printable ASCII and valid UTF-8
 * as they are, everything else (C0, DEL, C1, bytes that are not UTF-8) as
 * \ooo; a tab as dcol() counts it for source lines. */
static void
safe(FILE *f, const char *s, size_t len, enum tabs tabs)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if (p[i] == '\t' && tabs != TAB_ESCAPE) {
			fputs(tabs == TAB_SPACES ? "    " : "\t", f);
			i++;
		} else if (p[i] >= 0x20 && p[i] < 0x7f) {
			fputc(p[i], f);
			i++;
		} else if (p[i] >= 0x80 && (n = utf8_seq(p + i, len - i)) > 0) {
			fwrite(p + i, 1, n, f);
			i += n;
		} else {
			fprintf(f, "\\%03o", p[i]);
			i++;
		}
	}
}

/* A string from the input on one line (NULL: "?"). */
static void
text(FILE *f, const char *s)
{
	if (s == NULL)
		s = "?";
	safe(f, s, strlen(s), TAB_ESCAPE);
}

static void
gutter(FILE *f, int width, const struct style *st)
{
	fprintf(f, "%*s %s|%s", width, "", st->blue, st->off);
}

/* Source line n of the span with its underline. */
static void
shown(FILE *f, const struct mg_lint_file *fl, const struct mg_finding *fd, uint32_t n,
      uint32_t last, int width, const struct style *st)
{
	size_t len, i, from, to, a, b;
	const char *s = mg_lint_line(fl, n, &len);

	if (s == NULL)
		return;
	fprintf(f, "%s%*u |%s ", st->blue, width, (unsigned)n, st->off);
	safe(f, s, len, TAB_SPACES);
	fputc('\n', f);
	if (n == fd->line) {
		from = fd->col > 0 ? (size_t)fd->col - 1 : 0;
	} else {
		/* Later lines of the span: from their first non-blank byte. */
		for (from = 0; from < len && (s[from] == ' ' || s[from] == '\t'); from++)
			;
	}
	if (n == last && n == fd->end_line && fd->end_col > 0)
		to = (size_t)fd->end_col - 1;
	else
		to = len;
	/* A span past the line's end underlines up to the newline, no further. */
	if (from > len)
		from = len;
	if (to > len + 1)
		to = len + 1;
	a = dcol(s, len, from);
	b = dcol(s, len, to);
	if (b <= a)
		b = a + 1;
	gutter(f, width, st);
	fputc(' ', f);
	for (i = 0; i < a; i++)
		fputc(' ', f);
	fputs(st->sev, f);
	for (i = a; i < b; i++)
		fputc('^', f);
	fputs(st->off, f);
	fputc('\n', f);
}

/* "= help: text", text escaped to one line. */
static void
help_line(FILE *f, int width, const struct style *st, const char *help)
{
	fprintf(f, "%*s %s=%s %shelp%s: ", width, "", st->blue, st->off, st->bold, st->off);
	text(f, help);
	fputc('\n', f);
}

/* The code to paste, one source line a line, aligned under the help text. */
static void
code_lines(FILE *f, int width, const char *code)
{
	const char *p = code, *nl;

	while (*p) {
		size_t n;

		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		fprintf(f, "%*s         ", width, "");
		/* Python's indentation is the code's: tabs stay tabs. */
		safe(f, p, n, TAB_KEEP);
		fputc('\n', f);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

static void
finding(FILE *f, const struct mg_lint_report *r, const struct mg_finding *fd,
        const struct mg_lint_emit_opts *o)
{
	const struct mg_lint_file *fl = mg_lint_file_of(r, fd);
	struct style st = style_for(o, fd->severity);
	uint32_t last = mg_lint_last_line(fd), n;
	size_t len;
	int width = digits(last), have = mg_lint_line(fl, fd->line, &len) != NULL;

	fprintf(f, "%s%s[", st.sev, mg_lint_severity(fd->severity));
	text(f, fd->rule);
	fprintf(f, "]%s%s: ", st.off, st.bold);
	text(f, fd->message);
	fprintf(f, "%s\n", st.off);
	fprintf(f, "%*s%s-->%s ", width, "", st.blue, st.off);
	text(f, fl->path);
	fprintf(f, ":%u:%u\n", (unsigned)fd->line, (unsigned)fd->col);
	if (have) {
		gutter(f, width, &st);
		fputc('\n', f);
		/* Counted so that a last line of UINT32_MAX cannot wrap around. */
		for (n = fd->line;; n++) {
			if (last - fd->line + 1 > MAX_SHOWN && n == fd->line + 2) {
				fprintf(f, "%s...%s\n", st.blue, st.off);
				n = last - 1;
			}
			shown(f, fl, fd, n, last, width, &st);
			if (n == last)
				break;
		}
	}
	if ((fd->help != NULL && fd->help[0] != '\0') || fd->code != NULL) {
		if (have) {
			gutter(f, width, &st);
			fputc('\n', f);
		}
		if (fd->help != NULL && fd->help[0] != '\0')
			help_line(f, width, &st, fd->help);
		if (fd->code != NULL) {
			fprintf(f, "%*s %s=%s %shelp%s: ", width, "", st.blue, st.off, st.bold,
			        st.off);
			if (fd->where != NULL) {
				fputs("in ", f);
				text(f, fd->where);
				fputs(":\n", f);
			} else {
				fputs("add:\n", f);
			}
			code_lines(f, width, fd->code);
		}
	}
	fputc('\n', f);
}

void
mg_emit_lint_text(FILE *f, const struct mg_lint_report *r, const struct mg_lint_emit_opts *o)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!r->v[i].suppressed)
			finding(f, r, &r->v[i], o);
}
