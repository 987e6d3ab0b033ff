/*
 * --since REF: the files added or changed since the merge-base of REF and
 * HEAD, asked of git without a shell (posix_spawnp, arguments as a vector:
 * REF is never interpreted by anything but git). Uncommitted changes and
 * untracked files count: a migration written but not yet committed is the
 * one a developer wants checked.
 *
 * git's answer is kept (blobcache.h, "since") with what it depends on, and
 * a later run uses it without running git diff and git ls-files, which
 * read every file of the version folders and are most of a warm run's
 * time. The answer for a project's files is a function of:
 *   - the merge-base, asked each run (git merge-base is quick);
 *   - which files git tracks and how it sees them (the index), and which
 *     untracked files it ignores (the exclude files and .gitignore files
 *     above the version folders, git's configuration files): their stat
 *     data is the key, with the version folders' own (a file added or
 *     removed changes its folder: git is asked at once);
 *   - the project's files themselves (mg_since_print): each one's stat
 *     data, except for a file the answer calls added, which stays added
 *     however it is edited, for as long as it is there.
 * A file changed within the racy margin of the run is never saved as
 * unchanged; an environment that points git elsewhere (GIT_DIR,
 * GIT_INDEX_FILE...) is never cached. What is not seen: an excludes file
 * named by core.excludesFile other than git's default one.
 */
/* realpath() */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "migen/blobcache.h"
#include "migen/cachekey.h"
#include "migen/since.h"

extern char **environ;

#define MAX_OUTPUT (64u * 1024 * 1024)

/* A git process started, its stdout to be read. */
struct gitrun {
	pid_t pid;
	int fd;
};

/* Starts git with argv (argv[0] "git"), stderr discarded; 0, or -1 when it could not run. */
static int
git_start(char *const argv[], struct gitrun *g)
{
	posix_spawn_file_actions_t fa;
	int fd[2], rc;

	if (pipe(fd) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, fd[0]);
	posix_spawn_file_actions_addclose(&fa, fd[1]);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&g->pid, "git", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	if (rc != 0) {
		close(fd[0]);
		return -1;
	}
	g->fd = fd[0];
	return 0;
}

/* Its stdout into out, then its exit status (-1: killed, or it could not be waited for). */
static int
git_finish(struct gitrun *g, struct mg_buf *out)
{
	char chunk[8192];
	ssize_t got;
	int status = 0;

	mg_buf_add(out, "", 0);
	while ((got = read(g->fd, chunk, sizeof(chunk))) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (out->len + (size_t)got <= MAX_OUTPUT)
			mg_buf_add(out, chunk, (size_t)got);
	}
	close(g->fd);
	while (waitpid(g->pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Runs git with argv, its stdout into out; its exit status, or -1 when it could not run. */
static int
git(char *const argv[], struct mg_buf *out)
{
	struct gitrun g;

	if (git_start(argv, &g) != 0)
		return -1;
	return git_finish(&g, out);
}

static char *
first_line(struct mg_buf *b)
{
	char *nl;

	if (b->s == NULL)
		return NULL;
	if ((nl = strchr(b->s, '\n')) != NULL)
		*nl = '\0';
	return b->s;
}

static void
add(struct mg_since *s, const char *top, const char *rel, int added)
{
	struct mg_buf p = {0};
	char *r;

	mg_buf_printf(&p, "%s/%s", top, rel);
	/* A file deleted since REF has no path to lint. */
	if ((r = realpath(p.s, NULL)) != NULL) {
		mg_grow(&s->v, &s->cap, s->n + 1, sizeof(*s->v));
		s->v[s->n].path = mg_arena_strdup(&s->arena, r);
		s->v[s->n].name = mg_arena_strdup(&s->arena, rel);
		s->v[s->n++].added = added;
		free(r);
	}
	mg_buf_free(&p);
}

static int
bypath(const void *a, const void *b)
{
	return strcmp(((const struct mg_since_file *)a)->path,
	              ((const struct mg_since_file *)b)->path);
}

/*
 * argv of a git command (base[0..nbase)), "--", then dirs as pathspecs when
 * every one is inside top: git then reads only those folders (in a large
 * repository, most of the tree is not migrations).
 */
static char **
with_dirs(char *const *base, size_t nbase, const char *top, const char *const *dirs, size_t ndirs)
{
	char **v = mg_xcalloc(nbase + ndirs + 2, sizeof(*v));
	size_t i, n = 0, tl = strlen(top);

	for (i = 0; i < nbase; i++)
		v[n++] = base[i];
	v[n++] = "--";
	for (i = 0; i < ndirs; i++)
		if (strncmp(dirs[i], top, tl) != 0 || (dirs[i][tl] != '/' && dirs[i][tl] != '\0'))
			return v; /* one outside: the whole tree, as with none */
	for (i = 0; i < ndirs; i++)
		v[n++] = (char *)dirs[i];
	return v;
}

/* The lines of b, split in place: up to max into v; their number. */
static size_t
lines(struct mg_buf *b, char **v, size_t max)
{
	char *p = b->s, *nl;
	size_t n = 0;

	while (p != NULL && *p != '\0' && n < max) {
		v[n++] = p;
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return n;
}

/* Environment variables with which git reads another repository, index or configuration than
 * the files below would say: no cache then. */
static int
git_redirected(void)
{
	static const char *const vars[] = {
	    "GIT_DIR",
	    "GIT_WORK_TREE",
	    "GIT_INDEX_FILE",
	    "GIT_COMMON_DIR",
	    "GIT_CONFIG",
	    "GIT_CONFIG_GLOBAL",
	    "GIT_CONFIG_SYSTEM",
	    "GIT_CONFIG_COUNT",
	    "GIT_CONFIG_PARAMETERS",
	    "GIT_OBJECT_DIRECTORY",
	};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (getenv(vars[i]) != NULL)
			return 1;
	return 0;
}

/* Appends a file's stat data to the key (none when it is not there); 1 when it is racy. */
static int
key_file(struct mg_buf *b, const char *path, int64_t started_ns)
{
	struct stat st;
	struct mg_statkey k;

	mg_key_str(b, path);
	if (path == NULL || stat(path, &st) != 0) {
		mg_key_stat(b, NULL);
		return 0;
	}
	mg_statkey_from(&k, &st);
	mg_key_stat(b, &k);
	return mg_statkey_racy(&k, started_ns);
}

/*
 * The key of git's state besides the project's files (the head comment);
 * 1 when one of the files it reads was changed about now (an answer must
 * not be saved under it), else 0.
 */
static int
key_of(const struct mg_since *s, uint64_t key[2])
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	struct mg_buf b = {0}, p = {0};
	size_t i, tl = strlen(s->top);
	int racy = 0;

	mg_key_str(&b, "migen since 1");
	/* Whether git reads /etc/gitconfig at all. */
	mg_key_str(&b, getenv("GIT_CONFIG_NOSYSTEM"));
	mg_key_str(&b, s->top);
	mg_key_str(&b, s->base);
	mg_key_u64(&b, s->ndirs);
	for (i = 0; i < s->ndirs; i++) {
		/* The folder itself, not racy: a change to its entries only says "ask git now"; the
		 * print tells the truth about the files. */
		(void)key_file(&b, s->dirs[i], s->started_ns);
	}
	for (i = 0; i < s->nstate; i++)
		racy |= key_file(&b, s->state[i], s->started_ns);
	/* git's global and system configuration and its default global excludes file. */
	if (xdg != NULL && *xdg != '\0') {
		mg_buf_printf(&p, "%s/git/config", xdg);
		racy |= key_file(&b, p.s, s->started_ns);
		p.len = 0;
		mg_buf_printf(&p, "%s/git/ignore", xdg);
		racy |= key_file(&b, p.s, s->started_ns);
	} else if (home != NULL) {
		mg_buf_printf(&p, "%s/.config/git/config", home);
		racy |= key_file(&b, p.s, s->started_ns);
		p.len = 0;
		mg_buf_printf(&p, "%s/.config/git/ignore", home);
		racy |= key_file(&b, p.s, s->started_ns);
	}
	if (home != NULL) {
		p.len = 0;
		mg_buf_printf(&p, "%s/.gitconfig", home);
		racy |= key_file(&b, p.s, s->started_ns);
	}
	racy |= key_file(&b, "/etc/gitconfig", s->started_ns);
	/* The .gitignore files from the top of the work tree down to each version folder. */
	for (i = 0; i < s->ndirs; i++) {
		const char *d = s->dirs[i], *q;
		size_t len = tl;

		if (strncmp(d, s->top, tl) != 0 || (d[tl] != '/' && d[tl] != '\0'))
			continue;
		for (;;) {
			p.len = 0;
			mg_buf_printf(&p, "%.*s/.gitignore", (int)len, d);
			racy |= key_file(&b, p.s, s->started_ns);
			if (d[len] == '\0')
				break;
			q = strchr(d + len + 1, '/');
			len = q != NULL ? (size_t)(q - d) : strlen(d);
		}
	}
	mg_key_hash(&b, key);
	mg_buf_free(&b);
	mg_buf_free(&p);
	return racy;
}

/* The answer saved by an earlier run under the key git's state has now: into s. 1 when there
 * was one. Payload: the print, then for each file 'A' (added) or 'M', its name, a NUL. */
static int
load_saved(struct mg_since *s)
{
	uint64_t key[2], was[2];
	int64_t written;
	const char *payload, *p, *end;
	size_t len;
	char *data;

	key_of(s, key);
	data = mg_blobcache_read("since", s->scope, was, &written, &payload, &len);
	if (data == NULL)
		return 0;
	if (was[0] != key[0] || was[1] != key[1] || len < 16 ||
	    (len > 16 && payload[len - 1] != '\0')) {
		free(data);
		return 0;
	}
	memcpy(s->print, payload, 16);
	for (p = payload + 16, end = payload + len; p < end; p += strlen(p) + 1) {
		if ((*p != 'A' && *p != 'M') || p[1] == '\0') {
			free(data);
			s->n = 0;
			return 0;
		}
		add(s, s->top, p + 1, *p == 'A');
	}
	free(data);
	return 1;
}

/* Asks git for the files changed since the merge-base: into s. */
static int
ask(struct mg_since *s, const char **why)
{
	struct mg_buf diff = {0}, untracked = {0};
	const char *p, *end;
	int rc = MG_SINCE_OK;

	{
		/* Against the work tree: committed, staged and unstaged changes alike; and the
		 * untracked files, asked at the same time (both read the whole tree). */
		char *dbase[] = {"git",           "-C", (char *)s->top, "diff",
		                 "--name-status", "-z", "--no-renames", (char *)s->base};
		char *obase[] = {"git",      "-C",       (char *)s->top,
		                 "ls-files", "--others", "--exclude-standard",
		                 "-z"};
		char **argv = with_dirs(dbase, 8, s->top, s->dirs, s->ndirs);
		char **others = with_dirs(obase, 7, s->top, s->dirs, s->ndirs);
		struct gitrun d, o;
		int dst, ost = -1, started = git_start(others, &o) == 0;

		dst = git_start(argv, &d) == 0 ? git_finish(&d, &diff) : -1;
		if (started)
			ost = git_finish(&o, &untracked);
		free(argv);
		free(others);
		if (dst != 0) {
			*why = "git diff failed";
			rc = MG_SINCE_NO_REPO;
			goto out;
		}
		if (ost != 0)
			mg_buf_free(&untracked);
	}
	for (p = diff.s, end = diff.s + diff.len; p < end;) {
		const char *status = p, *path;

		p += strlen(p) + 1;
		if (p >= end)
			break;
		path = p;
		p += strlen(p) + 1;
		if (status[0] == 'D')
			continue;
		add(s, s->top, path, status[0] == 'A');
	}
	for (p = untracked.s, end = untracked.s + untracked.len; p != NULL && p < end;
	     p += strlen(p) + 1)
		if (*p != '\0')
			add(s, s->top, p, 1);
	s->asked = 1;
out:
	mg_buf_free(&diff);
	mg_buf_free(&untracked);
	return rc;
}

static void
sort_files(struct mg_since *s)
{
	/* Sorted: the project asks for each of its files. */
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), bypath);
}

int
mg_since_files(const char *ref, const char *const *dirs, size_t ndirs, const char *scope,
               int64_t started_ns, struct mg_since *s, const char **why)
{
	struct mg_buf top = {0}, base = {0}, spec = {0};
	char *line[4];
	size_t nline, i;
	int rc = MG_SINCE_OK;

	memset(s, 0, sizeof(*s));
	*why = NULL;
	s->dirs = dirs;
	s->ndirs = ndirs;
	s->started_ns = started_ns;
	{
		/* The index, the repository's excludes file and configuration: where this work
		 * tree's are (a linked work tree has its own). */
		char *argv[] = {"git",    "rev-parse",  "--show-toplevel", "--git-path",
		                "index",  "--git-path", "info/exclude",    "--git-path",
		                "config", NULL};
		if (git(argv, &top) != 0 || (nline = lines(&top, line, 4)) == 0 ||
		    *line[0] == '\0') {
			*why = "not in a git work tree (or git is not installed)";
			rc = MG_SINCE_NO_REPO;
			goto out;
		}
	}
	s->top = mg_arena_strdup(&s->arena, line[0]);
	/* Relative to the working folder, as stat() takes them. */
	for (i = 1; i < nline; i++)
		s->state[s->nstate++] = mg_arena_strdup(&s->arena, line[i]);
	mg_buf_printf(&spec, "%s^{commit}", ref);
	/* A REF that git would read as an option is none. */
	if (*ref == '-') {
		*why = "not a commit in this repository";
		rc = MG_SINCE_BAD_REF;
		goto out;
	}
	{
		char *argv[] = {"git", "merge-base", "--end-of-options", spec.s, "HEAD", NULL};
		if (git(argv, &base) != 0 || first_line(&base) == NULL || *base.s == '\0') {
			/* Which it is, asked only when it failed: each git costs milliseconds. */
			char *verify[] = {"git",     "rev-parse",        "--verify",
			                  "--quiet", "--end-of-options", spec.s,
			                  NULL};
			struct mg_buf ignored = {0};
			int st = git(verify, &ignored);
			mg_buf_free(&ignored);
			*why =
			    st != 0 ? "not a commit in this repository" : "no merge-base with HEAD";
			rc = MG_SINCE_BAD_REF;
			goto out;
		}
	}
	s->base = mg_arena_strdup(&s->arena, base.s);
	if (scope != NULL && !git_redirected()) {
		s->scope = mg_arena_strdup(&s->arena, scope);
		if ((s->saved = load_saved(s)) != 0) {
			sort_files(s);
			goto out;
		}
	}
	rc = ask(s, why);
	sort_files(s);
out:
	mg_buf_free(&top);
	mg_buf_free(&base);
	mg_buf_free(&spec);
	return rc;
}

int
mg_since_print(const struct mg_since *s, const struct mg_project *p, const char *const *real,
               uint64_t print[2], int *racy)
{
	struct mg_buf b = {0};
	size_t i;

	*racy = 0;
	mg_key_str(&b, "migen since print 1");
	mg_key_u64(&b, p->n);
	for (i = 0; i < p->n; i++) {
		const struct mg_since_file *f = mg_since_find(s, real[i]);

		mg_key_str(&b, p->v[i].path);
		if (f != NULL && f->added) {
			/* Added stays added, edited or not, while it is there. */
			mg_key_u64(&b, 1);
			continue;
		}
		if (p->v[i].key == NULL) {
			mg_buf_free(&b);
			return -1;
		}
		mg_key_u64(&b, 0);
		mg_key_stat(&b, p->v[i].key);
		*racy |= mg_statkey_racy(p->v[i].key, s->started_ns);
	}
	mg_key_hash(&b, print);
	mg_buf_free(&b);
	return 0;
}

int
mg_since_confirm(struct mg_since *s, const uint64_t print[2], const char **why)
{
	int rc;

	if (!s->saved)
		return MG_SINCE_OK;
	s->saved = 0;
	if (print != NULL && print[0] == s->print[0] && print[1] == s->print[1])
		return MG_SINCE_OK;
	s->n = 0;
	rc = ask(s, why);
	sort_files(s);
	return rc;
}

void
mg_since_save(struct mg_since *s, const uint64_t print[2])
{
	struct mg_buf b = {0};
	uint64_t key[2];
	size_t i;

	if (!s->asked || s->scope == NULL || key_of(s, key) != 0)
		return;
	mg_buf_add(&b, (const char *)print, 16);
	for (i = 0; i < s->n; i++) {
		mg_buf_add(&b, s->v[i].added ? "A" : "M", 1);
		mg_buf_add(&b, s->v[i].name, strlen(s->v[i].name) + 1);
	}
	mg_blobcache_save("since", s->scope, key, s->started_ns, b.s, b.len);
	mg_buf_free(&b);
}

const struct mg_since_file *
mg_since_find(const struct mg_since *s, const char *real)
{
	struct mg_since_file want;

	if (real == NULL || s->n == 0)
		return NULL;
	memset(&want, 0, sizeof(want));
	want.path = real;
	return bsearch(&want, s->v, s->n, sizeof(*s->v), bypath);
}

void
mg_since_free(struct mg_since *s)
{
	free(s->v);
	mg_arena_free(&s->arena);
	memset(s, 0, sizeof(*s));
}
