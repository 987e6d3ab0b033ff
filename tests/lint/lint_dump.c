/*
 * Test helper: writes a sample lint report (lint_sample.h) in one output
 * format, so tests/lint_formats.sh can validate every format with outside
 * tools and docs/lint-formats.md can show real output.
 *
 *   lint_dump example|shifted|hostile|empty|bigN FORMAT [--color] [--seconds] [--summary]
 *
 * "shifted" is the example with three blank lines added at the top of each
 * file: its fingerprints must be the example's. "bigN" is the example N
 * times over (N folders), for timing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint_sample.h"

int
main(int argc, char **argv)
{
	struct mg_lint_report r;
	struct mg_lint_emit_opts o = {MG_COLOR_NEVER, 1};
	enum mg_lint_format fmt;
	int i, summary = 0;

	if (argc < 3 || mg_lint_format_parse(argv[2], &fmt) != 0) {
		fprintf(stderr,
		        "usage: lint_dump example|shifted|hostile|empty|bigN FORMAT [--color] "
		        "[--seconds] [--summary]\nformats: %s\n",
		        mg_lint_format_names);
		return 2;
	}
	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--color") == 0)
			o.color = MG_COLOR_ALWAYS;
		else if (strcmp(argv[i], "--seconds") == 0)
			o.omit_seconds = 0;
		else if (strcmp(argv[i], "--summary") == 0)
			summary = 1;
		else {
			fprintf(stderr, "lint_dump: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (strcmp(argv[1], "example") == 0)
		lint_sample_example(&r);
	else if (strcmp(argv[1], "shifted") == 0) {
		lint_sample_example(&r);
		lint_sample_shift(&r, 3);
	} else if (strncmp(argv[1], "big", 3) == 0) {
		lint_sample_big(&r, (size_t)strtoul(argv[1] + 3, NULL, 10));
	} else if (strcmp(argv[1], "hostile") == 0)
		lint_sample_hostile(&r);
	else if (strcmp(argv[1], "empty") == 0)
		memset(&r, 0, sizeof(r));
	else {
		fprintf(stderr, "lint_dump: unknown report %s\n", argv[1]);
		return 2;
	}
	mg_emit_lint(stdout, fmt, &r, &o);
	if (summary)
		mg_emit_lint_summary(stdout, &r, &o);
	lint_sample_free(&r);
	return fflush(stdout) == 0 ? 0 : 1;
}
