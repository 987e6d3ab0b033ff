#include "emit_lint.h"

void
mg_emit_lint_sarif(FILE *f, const struct mg_lint_report *r, const struct mg_lint_emit_opts *o)
{
	(void)f;
	(void)r;
	(void)o;
}
