/*
 * Input files (see input.h). The file is read through one descriptor that
 * is fstat'ed, so the checks and the bytes describe the same file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migen/input.h"
#include "migen/pystr.h"
#include "migen/util.h"

int
mg_input_read(const char *path, struct mg_input *in, const char **why)
{
	int fd;
	size_t cap, len = 0;
	char *buf;

	memset(in, 0, sizeof(*in));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		*why = strerror(errno);
		return -1;
	}
	if (fstat(fd, &in->st) != 0) {
		*why = strerror(errno);
		close(fd);
		return -1;
	}
	if (S_ISDIR(in->st.st_mode)) {
		*why = "is a directory";
		close(fd);
		return -1;
	}
	if (!S_ISREG(in->st.st_mode)) {
		*why = "not a regular file";
		close(fd);
		return -1;
	}
	if ((unsigned long long)in->st.st_size > MG_INPUT_MAX) {
		*why = "larger than 16 MiB";
		close(fd);
		return -1;
	}
	cap = (size_t)in->st.st_size + 1;
	buf = mg_xmalloc(cap + 1);
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

void
mg_input_free(struct mg_input *in)
{
	free(in->data);
	in->data = NULL;
	in->len = 0;
}
