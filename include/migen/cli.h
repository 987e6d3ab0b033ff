/*
 * The command table and what every command shares: exit statuses and the
 * usage/help conventions. Each command lives in its own src/cmd_<name>.c.
 */
#ifndef MIGEN_CLI_H
#define MIGEN_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

enum {
	MG_EXIT_OK = 0,    /* done, nothing at or above the --fail-on level */
	MG_EXIT_FAIL = 1,  /* a check failed, fixes pending (--check, --diff), syntax errors,
	                      a write failed (the file, or stdout) */
	MG_EXIT_USAGE = 2, /* bad command line */
	MG_EXIT_INPUT = 3, /* unreadable input, not a migration, no Alembic environment */
};

struct mg_command {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
	const char *summary;               /* one line for `migen --help` */
	const char *usage;                 /* full `migen CMD --help` text */
	const struct option *options;      /* its getopt_long() table: the shell completions */
};

extern const struct mg_command mg_commands[];

const struct mg_command *mg_command_find(const char *name);
int mg_cli_main(int argc, char **argv);

/* Prints "migen: msg" and "usage: ..." on stderr; returns MG_EXIT_USAGE. */
int mg_usage_error(const struct mg_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * arg itself when it is short printable ASCII, else a placeholder: error
 * messages may quote what was typed without passing control characters on.
 */
const char *mg_cli_shown(const char *arg);
/*
 * The usage error for what getopt_long() returned for argv[optind - 1]:
 * ':' (a missing value) or anything else (an unknown option).
 */
int mg_option_error(const struct mg_command *cmd, int c, char **argv);
/*
 * The name in names[0..n) closest to typed (a few letters off, or typed
 * begins it), for "did you mean"; NULL when none is close.
 */
const char *mg_cli_closest(const char *typed, const char *const *names, size_t n);
/* After getopt_long(): 0 when no operand is left, else the usage error for the first. */
int mg_no_operands(const struct mg_command *cmd, int argc, char **argv);
/* Prints cmd->usage on f. */
void mg_print_usage(const struct mg_command *cmd, FILE *f);

/* The usage texts, kept beside the command that owns them. */
extern const char mg_enhance_usage[];
extern const char mg_index_template_usage[];
extern const char mg_backfill_template_usage[];
extern const char mg_patterns_usage[];
extern const char mg_doctor_usage[];
extern const char mg_lint_usage[];
extern const char mg_schema_usage[];

/* The option tables, kept beside the command that owns them. */
extern const struct option mg_enhance_options[];
extern const struct option mg_index_template_options[];
extern const struct option mg_backfill_template_options[];
extern const struct option mg_patterns_options[];
extern const struct option mg_doctor_options[];
extern const struct option mg_lint_options[];
extern const struct option mg_schema_options[];

int mg_cmd_enhance(int argc, char **argv);
int mg_cmd_index_template(int argc, char **argv);
int mg_cmd_backfill_template(int argc, char **argv);
int mg_cmd_patterns(int argc, char **argv);
int mg_cmd_doctor(int argc, char **argv);
int mg_cmd_lint(int argc, char **argv);
int mg_cmd_schema(int argc, char **argv);
/* Hidden: `migen completions bash|zsh|fish`, the shell completions built from the tables. */
int mg_cmd_completions(int argc, char **argv);

#endif
