/*
 * Bare tree-sitter parsing of files, nothing else: the baseline migen's own
 * cost is measured against in bench/. Reads each path given, parses it with
 * tree-sitter-python and prints the total bytes parsed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <tree_sitter/api.h>

const TSLanguage *tree_sitter_python(void);

int
main(int argc, char **argv)
{
	TSParser *p = ts_parser_new();
	unsigned long long total = 0;
	int i;

	ts_parser_set_language(p, tree_sitter_python());
	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		char *buf;
		long n;
		TSTree *t;

		if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
			perror(argv[i]);
			return 1;
		}
		rewind(f);
		buf = malloc((size_t)n + 1);
		if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
			perror(argv[i]);
			return 1;
		}
		fclose(f);
		t = ts_parser_parse_string(p, NULL, buf, (uint32_t)n);
		total += (unsigned long long)n;
		ts_tree_delete(t);
		free(buf);
	}
	ts_parser_delete(p);
	printf("%llu bytes parsed\n", total);
	return 0;
}
