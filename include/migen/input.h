/*
 * Reading a migration file with the checks every command makes: it exists,
 * is a regular file, is at most MG_INPUT_MAX bytes, has no NUL byte and is
 * UTF-8 (a BOM allowed). Each failure has a one-line reason.
 */
#ifndef MIGEN_INPUT_H
#define MIGEN_INPUT_H

#include <stddef.h>
#include <sys/stat.h>

/* Larger files are refused: real migrations are kilobytes; this bounds memory. */
#define MG_INPUT_MAX (16u * 1024 * 1024)

struct mg_input {
	char *data; /* NUL-terminated; free() it */
	size_t len;
	struct stat st; /* as read: lets a writer notice a change since */
};

/*
 * Reads path into in. Returns 0, or -1 with *why set to a static reason
 * ("No such file or directory", "is a directory", "binary file (NUL byte)",
 * "not UTF-8", "larger than 16 MiB").
 */
int mg_input_read(const char *path, struct mg_input *in, const char **why);
/* The same checks on standard input, which may be a pipe ("-" on the command line). */
int mg_input_read_stdin(struct mg_input *in, const char **why);
void mg_input_free(struct mg_input *in);

#endif
