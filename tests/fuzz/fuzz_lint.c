/*
 * libFuzzer target for lint's own readers: any bytes as a pyproject.toml
 * ([tool.migen] through the TOML grammar, config.c), and the same bytes as
 * a migration through the lint engine (rules, findings with their fix as
 * byte edits, suppression comments). Sanitizers do the checking; a config
 * error must be one line that names the file.
 *
 *   CC=clang cmake -S . -B build-fuzz -DMIGEN_FUZZ=ON -DMIGEN_SANITIZE=ON -DMIGEN_TESTS=OFF
 *   cmake --build build-fuzz --target migen-fuzz-lint
 *   build-fuzz/migen-fuzz-lint -max_total_time=300 CORPUS   (seeds: fixtures/lint/)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/analyze.h"
#include "migen/config.h"
#include "migen/lint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
known(const char *id)
{
	return mg_lint_rule_known(id);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *)data, *err = NULL;
	struct mg_config c;
	struct mg_lint_config lc;
	struct mg_lint_report r;
	struct mg_model *m;

	if (mg_config_parse("pyproject.toml", src, size, known, &c, &err) != 0) {
		if (err == NULL || strncmp(err, "pyproject.toml:", 15) != 0 || strchr(err, '\n'))
			abort();
	}
	mg_config_free(&c);

	if (size > (1u << 20) || memchr(src, '\0', size) != NULL)
		return 0;
	m = mg_analyze("m.py", src, size, MG_ANALYZE_FULL);
	memset(&lc, 0, sizeof(lc));
	lc.o.add_tenant_indexes = 1;
	lc.o.use_concurrently = 1;
	lc.o.tenant_column = "tenant_id";
	lc.o.space_column = "space_id";
	lc.o.soft_delete_column = "deleted_at";
	memset(&r, 0, sizeof(r));
	mg_grow(&r.files, &r.capfiles, 1, sizeof(*r.files));
	r.files[0].path = "m.py";
	r.nfiles = 1;
	mg_lint_check(&lc, m, NULL, NULL, 0, 0, &r, NULL);
	for (size_t i = 0; i < r.n; i++) {
		const struct mg_finding *x = &r.v[i];
		for (size_t k = 0; k < x->nedits; k++)
			if (x->edits[k].start > x->edits[k].end || x->edits[k].end > size)
				abort();
	}
	mg_lint_report_free(&r);
	mg_model_free(m);
	return 0;
}
