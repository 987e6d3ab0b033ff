/*
 * --since REF: the files added or changed since the merge-base of REF and
 * HEAD, asked of git without a shell (posix_spawnp, arguments as a vector:
 * REF is never interpreted by anything but git). Uncommitted changes and
 * untracked files count: a migration written but not yet committed is the
 * one a developer wants checked.
 */
/* realpath() */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

int
mg_since_files(const char *ref, const char *const *dirs, size_t ndirs, struct mg_since *s,
               const char **why)
{
	struct mg_buf top = {0}, base = {0}, diff = {0}, untracked = {0};
	struct mg_buf spec = {0};
	const char *p, *end;
	int rc = MG_SINCE_OK;

	memset(s, 0, sizeof(*s));
	*why = NULL;
	{
		char *argv[] = {"git", "rev-parse", "--show-toplevel", NULL};
		if (git(argv, &top) != 0 || first_line(&top) == NULL || *top.s == '\0') {
			*why = "not in a git work tree (or git is not installed)";
			rc = MG_SINCE_NO_REPO;
			goto out;
		}
	}
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
	{
		/* Against the work tree: committed, staged and unstaged changes alike; and the
		 * untracked files, asked at the same time (both read the whole tree). */
		char *dbase[] = {"git",           "-C", top.s,          "diff",
		                 "--name-status", "-z", "--no-renames", base.s};
		char *obase[] = {"git", "-C", top.s, "ls-files", "--others", "--exclude-standard",
		                 "-z"};
		char **argv = with_dirs(dbase, 8, top.s, dirs, ndirs);
		char **others = with_dirs(obase, 7, top.s, dirs, ndirs);
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
		add(s, top.s, path, status[0] == 'A');
	}
	for (p = untracked.s, end = untracked.s + untracked.len; p != NULL && p < end;
	     p += strlen(p) + 1)
		if (*p != '\0')
			add(s, top.s, p, 1);
	/* Sorted: the project asks for each of its files. */
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), bypath);
out:
	mg_buf_free(&top);
	mg_buf_free(&base);
	mg_buf_free(&diff);
	mg_buf_free(&untracked);
	mg_buf_free(&spec);
	return rc;
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
