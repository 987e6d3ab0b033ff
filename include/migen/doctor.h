/*
 * What `migen doctor` found, as its emitters see it: the environment (when
 * there is an alembic.ini), the version folders, the loaded migrations and
 * the checked graph, whose findings include the environment's. The
 * command (cmd_doctor.c) fills it; the emitters only read it.
 */
#ifndef MIGEN_DOCTOR_H
#define MIGEN_DOCTOR_H

#include <stdio.h>

#include "migen/alembic_ini.h"
#include "migen/revgraph.h"
#include "migen/revload.h"

struct mg_doctor {
	const struct mg_alembic_env *env; /* NULL when only --versions was given */
	const char *section;              /* the ini section read */
	const char *env_py;               /* script_dir/env.py, NULL without an ini */
	const char *mako;                 /* script_dir/script.py.mako */
	int env_py_ok, mako_ok;
	const char *const *versions;     /* the folders checked */
	const unsigned char *version_ok; /* per folder: it exists */
	const size_t *version_files;     /* per folder: migrations found in it */
	size_t nversions;
	int recursive, full;
	const struct mg_revset *set;
	const struct mg_revgraph *graph;
};

/* The report for people (docs/doctor.md): ok/finding lines, then the summary. */
void mg_emit_doctor_text(FILE *f, const struct mg_doctor *d);
/* The JSON document of docs/json-doctor.md, with a final newline; free() it. */
char *mg_emit_doctor_json(const struct mg_doctor *d);

/*
 * The revision graph as a Mermaid flowchart or a Graphviz digraph: roots at
 * the top, heads, merges, branch points and labels marked. With collapse,
 * runs of three or more plain revisions become one node with a count.
 */
void mg_emit_graph_mermaid(FILE *f, const struct mg_revgraph *g, int collapse);
void mg_emit_graph_dot(FILE *f, const struct mg_revgraph *g, int collapse);

/* The "  fix: ..." line under multiple-heads: the merge of the sound heads, or fix the broken
 * first. */
void mg_emit_fix_line(FILE *f, const struct mg_revgraph *g);
/* Writes untrusted text on one line: control characters, newline and tab included, as \ooo. */
void mg_emit_line_safe(FILE *f, const char *s);

#endif
