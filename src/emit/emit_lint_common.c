/*
 * Helpers shared by the lint emitters (emit_lint.h), the format table and
 * the summary line. Every value here comes from the report, which comes from
 * hostile input: indexes are checked, lines are looked up in the bytes given.
 */
#include <stdlib.h>
#include <string.h>

#include "emit_lint.h"
#include "migen/emit.h"

const char mg_lint_format_names[] = "text, concise, json, sarif, github, gitlab";

static const struct {
	const char *name;
	enum mg_lint_format fmt;
} formats[] = {
    {"text", MG_LINT_TEXT},   {"concise", MG_LINT_CONCISE}, {"json", MG_LINT_JSON},
    {"sarif", MG_LINT_SARIF}, {"github", MG_LINT_GITHUB},   {"gitlab", MG_LINT_GITLAB},
};

const char *const mg_lint_meta_rules[2][2] = {
    {MG_RULE_IGNORE_WITHOUT_REASON,
     "A `# migen: ignore` comment gives no reason: say why the finding does not apply"},
    {MG_RULE_UNUSED_IGNORE,
     "A `# migen: ignore` comment names an unknown rule or matches no finding"},
};

int
mg_lint_format_parse(const char *name, enum mg_lint_format *out)
{
	size_t i;

	for (i = 0; name != NULL && i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcmp(name, formats[i].name) == 0) {
			*out = formats[i].fmt;
			return 0;
		}
	}
	return -1;
}

void
mg_emit_lint(FILE *f, enum mg_lint_format fmt, const struct mg_lint_report *r,
             const struct mg_lint_emit_opts *o)
{
	switch (fmt) {
	case MG_LINT_CONCISE:
		mg_emit_lint_concise(f, r, o);
		break;
	case MG_LINT_JSON:
		mg_emit_lint_json(f, r, o);
		break;
	case MG_LINT_SARIF:
		mg_emit_lint_sarif(f, r, o);
		break;
	case MG_LINT_GITHUB:
		mg_emit_lint_github(f, r, o);
		break;
	case MG_LINT_GITLAB:
		mg_emit_lint_gitlab(f, r, o);
		break;
	case MG_LINT_TEXT:
	default:
		mg_emit_lint_text(f, r, o);
		break;
	}
}

static void
count(FILE *f, size_t n, const char *one, const char *many)
{
	fprintf(f, "%zu %s", n, n == 1 ? one : many);
}

void
mg_emit_lint_summary(FILE *f, const struct mg_lint_report *r, const struct mg_lint_emit_opts *o)
{
	fputs("migen: ", f);
	count(f, r->nfiles, "file", "files");
	fputs(", ", f);
	count(f, r->by_severity[MG_ERROR], "error", "errors");
	fputs(", ", f);
	count(f, r->by_severity[MG_WARNING], "warning", "warnings");
	fputs(", ", f);
	count(f, r->by_severity[MG_NOTE], "note", "notes");
	fprintf(f, ", %zu suppressed", r->suppressed);
	if (o == NULL || !o->omit_seconds)
		fprintf(f, " in %.3f s", r->seconds);
	fputc('\n', f);
}

const char *
mg_lint_severity(enum mg_severity s)
{
	return s == MG_ERROR ? "error" : s == MG_NOTE ? "note" : "warning";
}

const char *
mg_lint_line(const struct mg_lint_file *fl, uint32_t line, size_t *len)
{
	const char *p, *end, *nl;
	uint32_t n;

	if (fl == NULL || fl->src == NULL || line == 0)
		return NULL;
	p = fl->src;
	end = fl->src + fl->len;
	for (n = 1; n < line; n++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return NULL;
		p = nl + 1;
	}
	if (p == end && line > 1)
		return NULL; /* past the final newline */
	nl = memchr(p, '\n', (size_t)(end - p));
	*len = (size_t)((nl != NULL ? nl : end) - p);
	if (*len > 0 && p[*len - 1] == '\r')
		(*len)--;
	return p;
}

uint32_t
mg_lint_cpcol(const struct mg_lint_file *fl, uint32_t line, uint32_t col)
{
	size_t len, i, stop;
	const char *s = mg_lint_line(fl, line, &len);
	uint32_t cp = 1;

	if (s == NULL || col == 0)
		return col;
	/* Past the line's end (the end of a span that takes the newline): count on. */
	stop = (size_t)col - 1;
	for (i = 0; i < stop && i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			cp++;
	if (stop > len)
		cp += (uint32_t)(stop - len);
	return cp;
}

uint32_t
mg_lint_last_line(const struct mg_finding *fd)
{
	if (fd->end_line > fd->line && fd->end_col <= 1)
		return fd->end_line - 1;
	return fd->end_line < fd->line ? fd->line : fd->end_line;
}

void
mg_lint_end_cp(const struct mg_lint_file *fl, const struct mg_finding *fd, uint32_t *line,
               uint32_t *col)
{
	uint32_t last = mg_lint_last_line(fd);
	size_t len;

	*line = last;
	if (last == fd->end_line && fd->end_col >= 1) {
		*col = mg_lint_cpcol(fl, last, fd->end_col);
	} else if (last == fd->line && fd->end_line < fd->line) {
		/* A bad span: at least the start. */
		*col = mg_lint_cpcol(fl, last, fd->col) + 1;
	} else if (mg_lint_line(fl, last, &len) != NULL) {
		*col = mg_lint_cpcol(fl, last, (uint32_t)len + 1);
	} else {
		*col = 1;
	}
}

const struct mg_lint_file *
mg_lint_file_of(const struct mg_lint_report *r, const struct mg_finding *fd)
{
	static const struct mg_lint_file none = {"?", NULL, NULL, 0};

	if (fd->file >= r->nfiles || r->files[fd->file].path == NULL)
		return &none;
	return &r->files[fd->file];
}

/*
 * Two 64-bit FNV-1a lanes with different offsets, each finished with
 * splitmix64's mixer: not cryptographic, only stable and well spread, which is
 * all a fingerprint needs (and no new library).
 */
struct fp {
	uint64_t a, b;
};

static void
fp_add(struct fp *h, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < n; i++) {
		h->a = (h->a ^ p[i]) * 0x100000001b3ULL;
		h->b = (h->b ^ p[i]) * 0x9e3779b97f4a7c15ULL;
	}
}

static void
fp_str(struct fp *h, const char *s)
{
	/* With its NUL, so ("ab", "c") and ("a", "bc") differ. */
	if (s == NULL)
		s = "";
	fp_add(h, s, strlen(s) + 1);
}

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The finding's first source line, blanks collapsed to one space and trimmed. */
static void
fp_line(struct fp *h, const struct mg_lint_file *fl, uint32_t line)
{
	size_t len, i;
	const char *s = mg_lint_line(fl, line, &len);
	int blank = 0, any = 0;

	if (s == NULL) {
		fp_add(h, "\0", 1);
		return;
	}
	for (i = 0; i < len; i++) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\f' || s[i] == '\v') {
			blank = 1;
			continue;
		}
		if (blank && any)
			fp_add(h, " ", 1);
		fp_add(h, &s[i], 1);
		blank = 0;
		any = 1;
	}
	fp_add(h, "\0", 1);
}

struct keyed {
	struct fp h;
	size_t i;
};

static int
cmp_keyed(const void *x, const void *y)
{
	const struct keyed *a = x, *b = y;

	if (a->h.a != b->h.a)
		return a->h.a < b->h.a ? -1 : 1;
	if (a->h.b != b->h.b)
		return a->h.b < b->h.b ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

char *
mg_lint_fingerprints(const struct mg_lint_report *r)
{
	struct keyed *k;
	char *out;
	size_t i, occ = 0;

	if (r->n == 0)
		return NULL;
	k = mg_xreallocarray(NULL, r->n, sizeof(*k));
	out = mg_xreallocarray(NULL, r->n, 33);
	for (i = 0; i < r->n; i++) {
		const struct mg_finding *fd = &r->v[i];
		const struct mg_lint_file *fl = mg_lint_file_of(r, fd);

		k[i].h.a = 0xcbf29ce484222325ULL;
		k[i].h.b = 0x84222325cbf29ce4ULL;
		k[i].i = i;
		fp_str(&k[i].h, fd->rule);
		fp_str(&k[i].h, fl->path);
		fp_line(&k[i].h, fl, fd->line);
	}
	/* Equal keys end up together, in report order: number them. */
	qsort(k, r->n, sizeof(*k), cmp_keyed);
	for (i = 0; i < r->n; i++) {
		struct fp h = k[i].h;
		unsigned char o[8];
		int j;

		occ = (i > 0 && k[i - 1].h.a == h.a && k[i - 1].h.b == h.b) ? occ + 1 : 0;
		for (j = 0; j < 8; j++)
			o[j] = (unsigned char)((uint64_t)occ >> (8 * j));
		fp_add(&h, o, sizeof(o));
		snprintf(out + 33 * k[i].i, 33, "%016llx%016llx", (unsigned long long)mix(h.a),
		         (unsigned long long)mix(h.b));
	}
	free(k);
	return out;
}
