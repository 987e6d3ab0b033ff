/*
 * Input files (see input.h). The file is read through one descriptor that
 * is fstat'ed, so the checks and the bytes describe the same file; it is
 * opened without blocking, so a FIFO is refused instead of waited on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migen/input.h"
#include "migen/pystr.h"
#include "migen/util.h"

/*
 * The bytes of fd, at most MG_INPUT_MAX, checked: no NUL byte, UTF-8.
 * Closes fd.
 */
static int
read_all(int fd, struct mg_input *in, size_t hint, const char **why)
{
	size_t cap = hint + 1, len = 0;
	char *buf = mg_xmalloc(cap + 1);

	for (;;) {
		ssize_t n;
		if (len == cap) {
			/* The file grew while being read: bounded all the same. */
			if (cap > MG_INPUT_MAX) {
				*why = "larger than 16 MiB";
				goto fail;
			}
			cap *= 2;
			buf = mg_xreallocarray(buf, cap + 1, 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*why = strerror(errno);
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (len > MG_INPUT_MAX) {
		*why = "larger than 16 MiB";
		free(buf);
		return -1;
	}
	if (memchr(buf, '\0', len) != NULL) {
		*why = "binary file (NUL byte)";
		free(buf);
		return -1;
	}
	if (!mg_utf8_valid(buf, len)) {
		*why = "not UTF-8";
		free(buf);
		return -1;
	}
	in->data = buf;
	in->len = len;
	return 0;
fail:
	close(fd);
	free(buf);
	return -1;
}

/*
 * Opens path for reading without ever blocking (a FIFO, a device) and
 * fstat's it into st: returns the descriptor of a regular file, or -1 with
 * *why ("is a directory", "not a regular file", strerror). close() it.
 */
static int
input_open(const char *path, struct stat *st, const char **why)
{
	int fd;

	/* O_NONBLOCK: opening a FIFO for reading waits for a writer, forever if
	 * none comes; with it the open returns at once and fstat says what the
	 * file is. It changes nothing for a regular file. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
		*why = strerror(errno);
		return -1;
	}
	if (fstat(fd, st) != 0) {
		*why = strerror(errno);
		close(fd);
		return -1;
	}
	if (S_ISDIR(st->st_mode)) {
		*why = "is a directory";
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		*why = "not a regular file";
		close(fd);
		return -1;
	}
	return fd;
}

int
mg_input_read(const char *path, struct mg_input *in, const char **why)
{
	int fd;

	memset(in, 0, sizeof(*in));
	if ((fd = input_open(path, &in->st, why)) < 0)
		return -1;
	if ((unsigned long long)in->st.st_size > MG_INPUT_MAX) {
		*why = "larger than 16 MiB";
		close(fd);
		return -1;
	}
	return read_all(fd, in, (size_t)in->st.st_size, why);
}

int
mg_input_read_stdin(struct mg_input *in, const char **why)
{
	int fd;

	memset(in, 0, sizeof(*in));
	/* A duplicate: read_all() closes what it reads, stdin stays open. */
	if ((fd = dup(STDIN_FILENO)) < 0) {
		*why = strerror(errno);
		return -1;
	}
	if (fstat(fd, &in->st) != 0 || S_ISDIR(in->st.st_mode)) {
		*why = S_ISDIR(in->st.st_mode) ? "is a directory" : strerror(errno);
		close(fd);
		return -1;
	}
	return read_all(fd, in, 4096, why);
}

void
mg_input_free(struct mg_input *in)
{
	free(in->data);
	in->data = NULL;
	in->len = 0;
}
