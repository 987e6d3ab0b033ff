/*
 * Atomic replacement of a file (see fix.h). Nothing is written over the
 * original: a complete, fsync'd copy is renamed over it, so a crash, a full
 * disk or a read-only folder leaves either the old file or the new one.
 */
#define _DEFAULT_SOURCE /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migen/fix.h"
#include "migen/input.h"

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Whether path still is the file that was read: same inode, size, mtime and bytes. */
static int
unchanged(const char *path, const struct stat *st, const char *orig, size_t origlen)
{
	struct mg_input now;
	const char *why;
	int same;

	if (mg_input_read(path, &now, &why) != 0)
		return 0;
	same = now.st.st_ino == st->st_ino && now.st.st_dev == st->st_dev &&
	       now.st.st_size == st->st_size && now.st.st_mtim.tv_sec == st->st_mtim.tv_sec &&
	       now.st.st_mtim.tv_nsec == st->st_mtim.tv_nsec && now.len == origlen &&
	       memcmp(now.data, orig, origlen) == 0;
	mg_input_free(&now);
	return same;
}

/*
 * A file nobody may write (0444), or that this user may not: renaming over
 * it would succeed all the same (the folder is what rename needs), so the
 * owner's choice would be silently overridden.
 */
static int
read_only(const char *path, const struct stat *st)
{
	return (st->st_mode & 0222) == 0 || (access(path, W_OK) != 0 && errno == EACCES);
}

int
mg_write_atomic(const char *link, const struct stat *st, const char *orig, size_t origlen,
                const char *data, size_t len, const char **why)
{
	struct mg_buf tmp = {0};
	char *dircopy, *path;
	int fd, dfd;

	/* A link stays a link: the file it points to is the one replaced. */
	if ((path = realpath(link, NULL)) == NULL) {
		*why = strerror(errno);
		return -1;
	}
	if (read_only(path, st)) {
		*why = "read-only file, not written";
		free(path);
		return MG_WRITE_READ_ONLY;
	}
	mg_buf_printf(&tmp, "%s.migen-XXXXXX", path);
	if ((fd = mkstemp(tmp.s)) < 0) {
		*why = strerror(errno);
		mg_buf_free(&tmp);
		free(path);
		return -1;
	}
	if (write_all(fd, data, len) != 0 || fchmod(fd, st->st_mode & 07777) != 0 ||
	    fsync(fd) != 0) {
		*why = strerror(errno);
		goto fail;
	}
	/*
	 * Root keeps the owner too; others cannot, and need not. The group is
	 * kept when it is one of ours (else the folder's default applies).
	 */
	if (fchown(fd, st->st_uid, st->st_gid) != 0) {
		if (geteuid() == 0) {
			*why = strerror(errno);
			goto fail;
		}
		(void)fchown(fd, (uid_t)-1, st->st_gid);
	}
	if (close(fd) != 0) {
		fd = -1;
		*why = strerror(errno);
		goto fail;
	}
	fd = -1;
	if (!unchanged(path, st, orig, origlen)) {
		*why = "the file changed since it was read; not written";
		goto fail;
	}
	if (rename(tmp.s, path) != 0) {
		*why = strerror(errno);
		goto fail;
	}
	/* The rename itself must reach the disk. */
	dircopy = mg_xstrdup(path);
	if ((dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(dircopy);
	mg_buf_free(&tmp);
	free(path);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp.s);
	mg_buf_free(&tmp);
	free(path);
	return -1;
}
