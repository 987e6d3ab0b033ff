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

/*
 * Runs git with argv (argv[0] "git"), its stdout into out; stderr is
 * discarded. Returns git's exit status, or -1 when it could not run.
 */
static int
git(char *const argv[], struct mg_buf *out)
{
	posix_spawn_file_actions_t fa;
	int fd[2], status = 0, rc;
	pid_t pid;
	char chunk[8192];
	ssize_t got;

	if (pipe(fd) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, fd[0]);
	posix_spawn_file_actions_addclose(&fa, fd[1]);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, "git", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	if (rc != 0) {
		close(fd[0]);
		return -1;
	}
	mg_buf_add(out, "", 0);
	while ((got = read(fd[0], chunk, sizeof(chunk))) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (out->len + (size_t)got <= MAX_OUTPUT)
			mg_buf_add(out, chunk, (size_t)got);
	}
	close(fd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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
		s->v[s->n++].added = added;
		free(r);
	}
	mg_buf_free(&p);
}

int
mg_since_files(const char *ref, struct mg_since *s, const char **why)
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
	{
		char *argv[] = {"git",  "rev-parse", "--verify", "--quiet", "--end-of-options",
		                spec.s, NULL};
		struct mg_buf ignored = {0};
		int st = *ref == '-' ? 1 : git(argv, &ignored);
		mg_buf_free(&ignored);
		if (st != 0) {
			*why = "not a commit in this repository";
			rc = MG_SINCE_BAD_REF;
			goto out;
		}
	}
	{
		char *argv[] = {"git", "merge-base", "--end-of-options", spec.s, "HEAD", NULL};
		if (git(argv, &base) != 0 || first_line(&base) == NULL || *base.s == '\0') {
			*why = "no merge-base with HEAD";
			rc = MG_SINCE_BAD_REF;
			goto out;
		}
	}
	{
		/* Against the work tree: committed, staged and unstaged changes alike. */
		char *argv[] = {"git", "-C",           top.s,  "diff", "--name-status",
		                "-z",  "--no-renames", base.s, "--",   NULL};
		if (git(argv, &diff) != 0) {
			*why = "git diff failed";
			rc = MG_SINCE_NO_REPO;
			goto out;
		}
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
	{
		char *argv[] = {"git", "-C", top.s, "ls-files", "--others", "--exclude-standard",
		                "-z",  NULL};
		if (git(argv, &untracked) == 0)
			for (p = untracked.s, end = untracked.s + untracked.len; p < end;
			     p += strlen(p) + 1)
				if (*p != '\0')
					add(s, top.s, p, 1);
	}
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
	size_t i;

	if (real == NULL)
		return NULL;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].path, real) == 0)
			return &s->v[i];
	return NULL;
}

void
mg_since_free(struct mg_since *s)
{
	free(s->v);
	mg_arena_free(&s->arena);
	memset(s, 0, sizeof(*s));
}
