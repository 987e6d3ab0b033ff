/*
 * alembic.ini (see alembic_ini.h). inih does the lexing; this file makes it
 * read like Python's ConfigParser, which is what Alembic uses:
 *
 *   - ConfigParser keeps " ; text" inside a value; Debian's inih strips it
 *     as an inline comment. The line reader hides ';' from inih (as \x1f)
 *     except at the start of a line, where both treat it as a comment.
 *   - Option names are case-insensitive; continuation lines (indented) are
 *     joined with "\n"; a repeated option is an error.
 *   - %(name)s reads the section, then [DEFAULT], then `here`; %% is %.
 *
 * Debian's inih reads lines of at most 199 bytes; a longer line is reported
 * rather than silently cut.
 */
/* realpath() */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migen/alembic_ini.h"
#include "migen/input.h"

#define HIDDEN_SEMI '\x1f'
#define MAX_DEPTH 10 /* ConfigParser's MAX_INTERPOLATION_DEPTH */
#define MAX_PARENTS 64

static int
exists(const char *path, int want_dir)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return 0;
	return want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
}

char *
mg_alembic_ini_find(const char *explicit_path)
{
	const char *env = getenv("ALEMBIC_CONFIG");
	struct mg_buf dir = {0};
	int i;

	/* A path given is taken when it exists: reading it says what is wrong
	 * with it (a folder, a FIFO) better than "no such file". */
	if (explicit_path != NULL)
		return access(explicit_path, F_OK) == 0 ? mg_xstrdup(explicit_path) : NULL;
	if (env != NULL && *env != '\0')
		return access(env, F_OK) == 0 ? mg_xstrdup(env) : NULL;
	/* ".", "..", "../..": relative, so output does not name the checkout's location. */
	for (i = 0; i < MAX_PARENTS; i++) {
		struct mg_buf p = {0};
		struct stat a, b;
		char *up;

		mg_buf_printf(&p, "%salembic.ini", dir.s ? dir.s : "");
		if (exists(p.s, 0)) {
			mg_buf_free(&dir);
			return mg_buf_detach(&p);
		}
		mg_buf_free(&p);
		/* Stop at the root: a folder that is its own parent. */
		up = mg_xstrdup(dir.s ? dir.s : "./");
		mg_buf_puts(&dir, "../");
		if (stat(up, &a) != 0 || stat(dir.s, &b) != 0 ||
		    (a.st_dev == b.st_dev && a.st_ino == b.st_ino)) {
			free(up);
			break;
		}
		free(up);
	}
	mg_buf_free(&dir);
	return NULL;
}

/* Drops "." and empty segments; ".." stays (it may cross a symbolic link). */
static char *
normalize(struct mg_arena *a, const char *path)
{
	struct mg_buf b = {0};
	const char *p = path;
	char *r;

	if (*p == '/')
		mg_buf_putc(&b, '/');
	while (*p) {
		const char *q = strchr(p, '/');
		size_t n = q ? (size_t)(q - p) : strlen(p);

		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (b.len > 0 && b.s[b.len - 1] != '/')
				mg_buf_putc(&b, '/');
			mg_buf_add(&b, p, n);
		}
		p += n + (q != NULL);
	}
	r = mg_arena_strdup(a, b.len ? b.s : ".");
	mg_buf_free(&b);
	return r;
}

char *
mg_path_join(struct mg_arena *a, const char *dir, const char *rel)
{
	struct mg_buf b = {0};
	char *r;

	if (rel[0] != '/' && dir != NULL && dir[0] != '\0') {
		mg_buf_puts(&b, dir);
		mg_buf_putc(&b, '/');
	}
	mg_buf_puts(&b, rel);
	r = normalize(a, b.s);
	mg_buf_free(&b);
	return r;
}

/*
 * Paths are worked out absolute, as Alembic does, and shown relative to the
 * current folder when they are under it, so reports do not name the
 * checkout's location.
 */
static const char *
shown(struct mg_arena *a, const char *cwd, const char *path)
{
	size_t common = 0, i;
	struct mg_buf b = {0};
	const char *r;

	if (path[0] != '/' || cwd[0] != '/')
		return path;
	/* The longest shared run of whole segments. */
	for (i = 0;; i++) {
		if (cwd[i] == '\0' && (path[i] == '/' || path[i] == '\0')) {
			common = i;
			break;
		}
		if (cwd[i] != path[i] || cwd[i] == '\0' || path[i] == '\0')
			break;
		if (cwd[i] == '/')
			common = i;
	}
	if (common == 0 && strcmp(cwd, "/") != 0)
		return path; /* only the root in common: absolute reads better */
	for (i = common; cwd[i] != '\0'; i++)
		if (cwd[i] == '/' && cwd[i + 1] != '\0')
			mg_buf_puts(&b, "../");
	if (path[common] == '/')
		mg_buf_puts(&b, path + common + 1);
	while (b.len > 0 && b.s[b.len - 1] == '/')
		b.s[--b.len] = '\0';
	r = mg_arena_strdup(a, b.len ? b.s : ".");
	mg_buf_free(&b);
	return r;
}

/* One option as read: section, lower-cased name, raw value. */
struct opt {
	char *section, *name, *value;
	unsigned line;
};

struct reader {
	const char *p, *end;
	unsigned line;     /* of the line last handed to inih */
	int indented;      /* that line starts with blank space */
	unsigned too_long; /* first line longer than inih reads, or 0 */
	int hidden;        /* the file holds our \x1f stand-in itself */
	struct opt *opts;
	size_t nopts, capopts;
	const char *lastsec, *lastname;
	unsigned duplicate; /* line of a repeated option, or 0 */
	const char *dupname;
};

/* fgets() over the file's bytes, hiding inline ';' from inih. */
static char *
read_line(char *str, int num, void *stream)
{
	struct reader *r = stream;
	const char *nl, *stop;
	size_t n, i, max = num > 1 ? (size_t)num - 1 : 0;
	int lead = 1, comment = 0;

	if (r->p >= r->end)
		return NULL;
	nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	stop = nl ? nl + 1 : r->end;
	n = (size_t)(stop - r->p);
	r->line++;
	r->indented = *r->p == ' ' || *r->p == '\t';
	if (n > max) {
		if (r->too_long == 0)
			r->too_long = r->line;
		n = max;
	}
	for (i = 0; i < n; i++) {
		char c = r->p[i];

		if (c == HIDDEN_SEMI)
			r->hidden = 1;
		if (lead && c != ' ' && c != '\t') {
			lead = 0;
			comment = c == ';' || c == '#';
		}
		str[i] = (c == ';' && !comment) ? HIDDEN_SEMI : c;
	}
	str[n] = '\0';
	r->p = stop;
	return str;
}

static char *
unhide(const char *s)
{
	char *r = mg_xstrdup(s), *p;

	for (p = r; *p; p++)
		if (*p == HIDDEN_SEMI)
			*p = ';';
	return r;
}

static int
on_option(void *user, const char *section, const char *name, const char *value)
{
	struct reader *r = user;
	struct opt *o;
	char *lname = unhide(name), *p;
	size_t i;

	for (p = lname; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (r->indented && r->nopts > 0 && r->lastsec != NULL && strcmp(r->lastsec, section) == 0 &&
	    strcmp(r->lastname, lname) == 0) {
		struct mg_buf b = {0};
		char *v = unhide(value);

		o = &r->opts[r->nopts - 1];
		mg_buf_puts(&b, o->value);
		mg_buf_putc(&b, '\n');
		mg_buf_puts(&b, v);
		free(o->value);
		free(v);
		o->value = mg_buf_detach(&b);
		free(lname);
		return 1;
	}
	for (i = 0; i < r->nopts; i++) {
		if (strcmp(r->opts[i].section, section) == 0 &&
		    strcmp(r->opts[i].name, lname) == 0 && r->duplicate == 0) {
			r->duplicate = r->line;
			r->dupname = r->opts[i].name;
		}
	}
	mg_grow(&r->opts, &r->capopts, r->nopts + 1, sizeof(*r->opts));
	o = &r->opts[r->nopts++];
	o->section = mg_xstrdup(section);
	o->name = lname;
	o->value = unhide(value);
	o->line = r->line;
	r->lastsec = o->section;
	r->lastname = o->name;
	return 1;
}

static const struct opt *
lookup(const struct reader *r, const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < r->nopts; i++)
		if (strcmp(r->opts[i].section, section) == 0 &&
		    strcasecmp(r->opts[i].name, name) == 0)
			return &r->opts[i];
	return NULL;
}

struct interp {
	const struct reader *r;
	const char *section, *here;
	const char *error; /* first problem */
	char buf[128];
};

/* ConfigParser's BasicInterpolation, into b. */
static void
interpolate(struct interp *x, const char *v, struct mg_buf *b, int depth)
{
	const char *p = v;

	if (depth > MAX_DEPTH) {
		x->error = "interpolation is nested too deeply (a loop?)";
		return;
	}
	while (*p) {
		const char *q = strchr(p, '%'), *close;
		const struct opt *o;
		char *name;

		if (q == NULL) {
			mg_buf_puts(b, p);
			return;
		}
		mg_buf_add(b, p, (size_t)(q - p));
		if (q[1] == '%') {
			mg_buf_putc(b, '%');
			p = q + 2;
			continue;
		}
		if (q[1] != '(' || (close = strstr(q, ")s")) == NULL) {
			x->error = "'%' must be followed by '%' or '(name)s'";
			return;
		}
		name = mg_xstrdup(q + 2);
		name[close - q - 2] = '\0';
		if ((o = lookup(x->r, x->section, name)) == NULL)
			o = lookup(x->r, "DEFAULT", name);
		if (o != NULL) {
			interpolate(x, o->value, b, depth + 1);
		} else if (strcasecmp(name, "here") == 0) {
			mg_buf_puts(b, x->here);
		} else if (x->error == NULL) {
			snprintf(x->buf, sizeof(x->buf), "%%(%.80s)s names no option", name);
			x->error = x->buf;
		}
		free(name);
		p = close + 2;
	}
}

static void problem(struct mg_alembic_env *env, enum mg_severity s, const char *id, unsigned line,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
problem(struct mg_alembic_env *env, enum mg_severity s, const char *id, unsigned line,
        const char *fmt, ...)
{
	struct mg_ini_problem *p;
	struct mg_buf b = {0};
	va_list ap;

	va_start(ap, fmt);
	mg_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	mg_grow(&env->problems, &env->capproblems, env->nproblems + 1, sizeof(*env->problems));
	p = &env->problems[env->nproblems++];
	p->severity = s;
	p->id = id;
	p->line = line;
	p->message = mg_arena_strdup(&env->arena, b.s);
	mg_buf_free(&b);
}

/* An option of our section, interpolated; NULL if absent (or *bad on an error). */
static const char *
option(struct mg_alembic_env *env, const struct reader *r, const char *section, const char *name,
       unsigned *line)
{
	const struct opt *o = lookup(r, section, name);
	struct interp x;
	struct mg_buf b = {0};
	const char *v;

	if (o == NULL && (o = lookup(r, "DEFAULT", name)) == NULL)
		return NULL;
	memset(&x, 0, sizeof(x));
	x.r = r;
	x.section = section;
	x.here = env->here;
	*line = o->line;
	interpolate(&x, o->value, &b, 0);
	if (x.error != NULL) {
		problem(env, MG_ERROR, "bad-ini-value", o->line, "%s: %s: %s", env->ini, name,
		        x.error);
		mg_buf_free(&b);
		return NULL;
	}
	v = mg_arena_strdup(&env->arena, b.s ? b.s : "");
	mg_buf_free(&b);
	return v;
}

static char *
trim(struct mg_arena *a, const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		n--;
	return mg_arena_strndup(a, s, n);
}

/*
 * Alembic's coerce_resource_to_filename(): "pkg.sub:path" names a folder
 * inside an importable package. migen does not import: it looks for the
 * package's folder where Python would find it from the project, on
 * prepend_sys_path (relative to here), then here itself.
 */
static const char *
locate(struct mg_alembic_env *env, const char *value, const char *const *roots, size_t nroots)
{
	const char *colon;
	struct mg_buf pkg = {0};
	const char *p, *r = NULL;
	size_t i;

	if (value[0] == '/' || (colon = strchr(value, ':')) == NULL)
		return mg_path_join(&env->arena, env->here, value);
	for (p = value; p < colon; p++)
		mg_buf_putc(&pkg, *p == '.' ? '/' : *p);
	for (i = 0; i < nroots && r == NULL; i++) {
		char *dir = mg_path_join(&env->arena, roots[i], pkg.s ? pkg.s : "");
		if (exists(dir, 1)) {
			struct mg_buf rest = {0};
			for (p = colon + 1; *p; p++)
				mg_buf_putc(&rest, *p == ':' ? '/' : *p);
			r = rest.len ? mg_path_join(&env->arena, dir, rest.s) : dir;
			mg_buf_free(&rest);
		}
	}
	mg_buf_free(&pkg);
	return r;
}

static int
truthy(const char *v)
{
	static const char *const yes[] = {"true", "yes", "on", "y", "t", "1"};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
	return 0;
}

/* Splits version_locations as Alembic does for the separator given. */
static void
split_versions(struct mg_alembic_env *env, const char *v, const char *sep, unsigned sepline,
               const char ***out, size_t *nout)
{
	const char **items = NULL;
	size_t n = 0, cap = 0;
	const char *p = v;
	char ch = 0;
	int legacy = 0;

	if (sep == NULL)
		legacy = 1;
	else if (strcmp(sep, "space") == 0)
		ch = ' ';
	else if (strcmp(sep, "os") == 0 || strcmp(sep, ":") == 0)
		ch = ':';
	else if (strcmp(sep, ";") == 0)
		ch = ';';
	else if (strcmp(sep, "newline") == 0)
		ch = '\n';
	else {
		problem(env, MG_ERROR, "bad-version-path-separator", sepline,
		        "%s: version_path_separator '%s' is not space, os, ':', ';' or newline "
		        "(ConfigParser keeps an inline '#' comment as part of the value)",
		        env->ini, sep);
		legacy = 1;
	}
	while (*p) {
		const char *q = p;
		char *item;

		if (legacy)
			while (*q && *q != ' ' && *q != ',')
				q++;
		else
			while (*q && *q != ch)
				q++;
		item = trim(&env->arena, p, (size_t)(q - p));
		if (*item != '\0') {
			mg_grow(&items, &cap, n + 1, sizeof(*items));
			items[n++] = item;
		}
		p = *q ? q + 1 : q;
	}
	*out = items;
	*nout = n;
}

/* Splits prepend_sys_path (Alembic: on ", ", spaces or ':'). */
static size_t
sys_path_roots(struct mg_alembic_env *env, const char *v, const char **roots, size_t max)
{
	size_t n = 0;
	const char *p = v;

	while (v != NULL && *p && n < max) {
		const char *q = p;
		char *item;

		while (*q && *q != ' ' && *q != ',' && *q != ':')
			q++;
		item = trim(&env->arena, p, (size_t)(q - p));
		if (*item != '\0')
			roots[n++] = mg_path_join(&env->arena, env->here, item);
		p = *q ? q + 1 : q;
	}
	return n;
}

int
mg_alembic_ini_read(const char *path, const char *section, struct mg_alembic_env *env,
                    const char **why)
{
	struct reader r;
	struct mg_input in;
	const char *rd, *sl, *vl, *sep, *rec, *roots[17], *slash;
	char cwd[PATH_MAX];
	unsigned line = 0, sepline = 0;
	size_t i, nroots;
	int rc;

	memset(env, 0, sizeof(*env));
	memset(&r, 0, sizeof(r));
	env->ini = mg_arena_strdup(&env->arena, path);
	slash = strrchr(path, '/');
	{
		const char *dir = slash == path ? "/"
		                  : slash
		                      ? mg_arena_strndup(&env->arena, path, (size_t)(slash - path))
		                      : ".";
		char *abs = realpath(dir, NULL);

		if (abs == NULL || getcwd(cwd, sizeof(cwd)) == NULL) {
			free(abs);
			*why = mg_arena_printf(&env->arena, "%s: cannot resolve its folder", path);
			return -1;
		}
		/* `here` is absolute in Alembic; %(here)s expands to it. */
		env->here = mg_arena_strdup(&env->arena, abs);
		free(abs);
	}
	if (mg_input_read(path, &in, &rd) != 0) {
		*why = mg_arena_printf(&env->arena, "%s: %s", path, rd);
		return -1;
	}
	r.p = in.data;
	r.end = in.data + in.len;
	rc = ini_parse_stream(read_line, &r, on_option, &r);
	mg_input_free(&in);
	*why = NULL;
	if (r.hidden)
		*why = mg_arena_printf(&env->arena, "%s: holds a \\x1f control character", path);
	else if (r.too_long)
		*why = mg_arena_printf(&env->arena,
		                       "%s:%u: line longer than 199 bytes (the limit of the ini "
		                       "reader migen uses)",
		                       path, r.too_long);
	else if (rc > 0)
		*why = mg_arena_printf(&env->arena, "%s:%d: not a 'name = value' line", path, rc);
	else if (rc < 0)
		*why = mg_arena_printf(&env->arena, "%s: cannot be read", path);
	else if (r.duplicate)
		*why =
		    mg_arena_printf(&env->arena, "%s:%u: option '%s' is set twice in one section",
		                    path, r.duplicate, r.dupname);
	if (*why != NULL)
		goto out;

	for (i = 0; i < r.nopts && strcmp(r.opts[i].section, section) != 0; i++)
		;
	if (i == r.nopts) {
		*why = mg_arena_printf(&env->arena, "%s: no [%s] section", path, section);
		goto out;
	}
	if ((sl = option(env, &r, section, "script_location", &line)) == NULL || *sl == '\0') {
		*why =
		    mg_arena_printf(&env->arena, "%s: no script_location in [%s]", path, section);
		goto out;
	}
	env->script_location = sl;
	env->url = option(env, &r, section, "sqlalchemy.url", &line);
	nroots =
	    sys_path_roots(env, option(env, &r, section, "prepend_sys_path", &line), roots, 16);
	roots[nroots++] = env->here;
	if ((env->script_dir = locate(env, sl, roots, nroots)) == NULL) {
		*why =
		    mg_arena_printf(&env->arena,
		                    "%s: script_location '%s': the package is not on disk next to "
		                    "the project (migen does not import Python)",
		                    path, sl);
		goto out;
	}
	rec = option(env, &r, section, "recursive_version_locations", &line);
	env->recursive = rec != NULL && truthy(rec);
	vl = option(env, &r, section, "version_locations", &line);
	if (vl != NULL && *vl != '\0') {
		const char **items;
		size_t n;

		sep = option(env, &r, section, "version_path_separator", &sepline);
		split_versions(env, vl, sep, sepline, &items, &n);
		env->versions = mg_arena_alloc(&env->arena, (n ? n : 1) * sizeof(*env->versions));
		for (i = 0; i < n; i++) {
			const char *d = locate(env, items[i], roots, nroots);
			if (d == NULL) {
				problem(env, MG_ERROR, "missing-versions-dir", line,
				        "version location '%s': the package is not on disk",
				        items[i]);
				continue;
			}
			env->versions[env->nversions++] = d;
		}
		free(items);
		env->versions_configured = 1;
	} else {
		env->versions = mg_arena_alloc(&env->arena, sizeof(*env->versions));
		env->versions[0] = mg_path_join(&env->arena, env->script_dir, "versions");
		env->nversions = 1;
	}
	env->script_dir = shown(&env->arena, cwd, env->script_dir);
	for (i = 0; i < env->nversions; i++)
		env->versions[i] = shown(&env->arena, cwd, env->versions[i]);
	env->here = shown(&env->arena, cwd, env->here);
out:
	for (i = 0; i < r.nopts; i++) {
		free(r.opts[i].section);
		free(r.opts[i].name);
		free(r.opts[i].value);
	}
	free(r.opts);
	return *why ? -1 : 0;
}

void
mg_alembic_env_free(struct mg_alembic_env *env)
{
	free(env->problems);
	mg_arena_free(&env->arena);
	memset(env, 0, sizeof(*env));
}
