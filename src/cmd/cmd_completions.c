/*
 * `migen completions bash|zsh|fish`: the shell completions, written from the
 * tables the commands run on, so that they cannot drift from them: the
 * commands from cli.c's table, each command's long options from its
 * getopt_long() table, and the values an option takes from the metavariable
 * its usage text gives it (`--format text|json`, `-c FILE`), the lint formats
 * and the rule registry. Packages install the output (CMakeLists.txt).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "migen/cli.h"
#include "migen/finding.h"
#include "migen/patterns.h"
#include "migen/rules.h"

/* What an option's value, or a command's operand, completes to. */
enum value_kind {
	V_NONE,  /* a word of the user's: nothing to offer */
	V_FILE,  /* a path */
	V_DIR,   /* a folder */
	V_WORDS, /* the words in words[] */
};

struct value {
	enum value_kind kind;
	char words[512]; /* space-separated */
};

static void
add_word(struct value *v, const char *w, size_t n)
{
	size_t len = strlen(v->words);

	if (n == 0 || len + n + 2 > sizeof(v->words))
		return;
	if (len > 0)
		v->words[len++] = ' ';
	memcpy(v->words + len, w, n);
	v->words[len + n] = '\0';
}

/* The words of list, separated by any of seps. */
static void
add_words(struct value *v, const char *list, const char *seps)
{
	while (*list) {
		size_t n = strcspn(list, seps);
		add_word(v, list, n);
		list += n;
		list += strspn(list, seps);
	}
}

/*
 * The metavariable after "--name" in usage (its first mention: the synopsis,
 * else the option list), into buf; "" when the option takes none there.
 */
static void
metavar(const char *usage, const char *name, char *buf, size_t size)
{
	char key[64];
	const char *p = usage;
	size_t n;

	buf[0] = '\0';
	snprintf(key, sizeof(key), "--%s", name);
	while ((p = strstr(p, key)) != NULL) {
		p += strlen(key);
		if (*p == ' ' || *p == '=')
			break;
	}
	if (p == NULL)
		return;
	p++;
	n = strcspn(p, " ]\n");
	if (n >= size)
		n = size - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
}

static void
option_value(const struct mg_command *cmd, const struct option *o, struct value *v)
{
	const struct option *a;
	char mv[64];
	size_t i;

	memset(v, 0, sizeof(*v));
	if (o->has_arg == no_argument)
		return;
	metavar(cmd->usage, o->name, mv, sizeof(mv));
	/* An alias (--colour) takes what the option it stands for takes. */
	for (a = cmd->options; mv[0] == '\0' && a->name != NULL; a++)
		if (a != o && a->val == o->val && a->has_arg == o->has_arg)
			metavar(cmd->usage, a->name, mv, sizeof(mv));
	if (strchr(mv, '|') != NULL) {
		v->kind = V_WORDS;
		add_words(v, mv, "|");
	} else if (strcmp(mv, "FILE") == 0 || strcmp(mv, "PATH") == 0 ||
	           strstr(mv, ".ini") != NULL) {
		v->kind = V_FILE;
	} else if (strcmp(mv, "DIR") == 0) {
		v->kind = V_DIR;
	} else if (strcmp(mv, "FORMAT") == 0) {
		v->kind = V_WORDS;
		add_words(v, mg_lint_format_names, ", ");
	} else if (strncmp(mv, "RULE", 4) == 0) {
		v->kind = V_WORDS;
		for (i = 0; mg_rules[i] != NULL; i++)
			add_word(v, mg_rules[i]->id, strlen(mg_rules[i]->id));
	}
}

/* What the command's operands are: files, pattern names, or nothing. */
static void
operand_value(const struct mg_command *cmd, struct value *v)
{
	size_t i;

	memset(v, 0, sizeof(*v));
	if (strcmp(cmd->name, "patterns") == 0) {
		v->kind = V_WORDS;
		for (i = 0; mg_patterns[i].name != NULL; i++)
			add_word(v, mg_patterns[i].name, strlen(mg_patterns[i].name));
	} else if (strstr(cmd->usage, "FILE") != NULL || strstr(cmd->usage, "PATH") != NULL) {
		/* The synopsis names its operands: "[PATH ...]", "FILE|DIR". */
		const char *nl = strstr(cmd->usage, "\n\n");
		const char *f = strstr(cmd->usage, "PATH");
		const char *g = strstr(cmd->usage, "FILE");
		if ((f != NULL && (nl == NULL || f < nl)) || (g != NULL && (nl == NULL || g < nl)))
			v->kind = V_FILE;
	}
}

/* s with ' written as '\'' (inside single quotes, for every shell here). */
static void
put_quoted(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
}

static void
command_names(FILE *f)
{
	const struct mg_command *c;

	for (c = mg_commands; c->name != NULL; c++)
		fprintf(f, "%s%s", c == mg_commands ? "" : " ", c->name);
}

static void
bash_reply(FILE *f, const struct value *v, const char *indent)
{
	switch (v->kind) {
	case V_FILE:
		fprintf(f, "%sCOMPREPLY=($(compgen -f -- \"$cur\"))\n", indent);
		break;
	case V_DIR:
		fprintf(f, "%sCOMPREPLY=($(compgen -d -- \"$cur\"))\n", indent);
		break;
	case V_WORDS:
		fprintf(f, "%sCOMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n", indent, v->words);
		break;
	case V_NONE:
		fprintf(f, "%sCOMPREPLY=()\n", indent);
		break;
	}
}

static void
bash(FILE *f)
{
	const struct mg_command *c;
	const struct option *o;
	struct value v;

	fputs("# bash completion for migen (written by `migen completions bash`)\n"
	      "_migen() {\n"
	      "    local cur prev cmd i\n"
	      "    cur=${COMP_WORDS[COMP_CWORD]}\n"
	      "    prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	      "    cmd=\n"
	      "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
	      "        case ${COMP_WORDS[i]} in\n"
	      "        -*) ;;\n"
	      "        *) cmd=${COMP_WORDS[i]}; break ;;\n"
	      "        esac\n"
	      "    done\n"
	      "    case $cmd in\n"
	      "    '')\n"
	      "        COMPREPLY=($(compgen -W '",
	      f);
	command_names(f);
	fputs(" help --help --version' -- \"$cur\"))\n"
	      "        ;;\n"
	      "    help)\n"
	      "        COMPREPLY=($(compgen -W '",
	      f);
	command_names(f);
	fputs("' -- \"$cur\"))\n        ;;\n", f);
	for (c = mg_commands; c->name != NULL; c++) {
		fprintf(f, "    %s)\n        case $prev in\n", c->name);
		for (o = c->options; o->name != NULL; o++) {
			if (o->has_arg != required_argument)
				continue;
			option_value(c, o, &v);
			fprintf(f, "        --%s)\n", o->name);
			bash_reply(f, &v, "            ");
			fputs("            return ;;\n", f);
		}
		fputs("        esac\n        case $cur in\n        -*)\n"
		      "            COMPREPLY=($(compgen -W '",
		      f);
		for (o = c->options; o->name != NULL; o++)
			fprintf(f, "%s--%s", o == c->options ? "" : " ", o->name);
		fputs("' -- \"$cur\"))\n            ;;\n        *)\n", f);
		operand_value(c, &v);
		bash_reply(f, &v, "            ");
		fputs("            ;;\n        esac\n        ;;\n", f);
	}
	fputs("    esac\n"
	      "}\n"
	      "complete -o filenames -F _migen migen\n",
	      f);
}

static void
zsh_action(FILE *f, const struct value *v)
{
	switch (v->kind) {
	case V_FILE:
		fputs("_files", f);
		break;
	case V_DIR:
		fputs("_files -/", f);
		break;
	case V_WORDS:
		fprintf(f, "(%s)", v->words);
		break;
	case V_NONE:
		fputs(" ", f);
		break;
	}
}

static void
zsh(FILE *f)
{
	const struct mg_command *c;
	const struct option *o;
	struct value v;

	fputs("#compdef migen\n"
	      "# zsh completion for migen (written by `migen completions zsh`)\n"
	      "_migen() {\n"
	      "    local -a commands\n"
	      "    commands=(\n",
	      f);
	for (c = mg_commands; c->name != NULL; c++) {
		fprintf(f, "        '%s:", c->name);
		put_quoted(f, c->summary);
		fputs("'\n", f);
	}
	fputs("        'help:describe a command'\n"
	      "    )\n"
	      "    if (( CURRENT == 2 )); then\n"
	      "        _describe -t commands 'migen command' commands\n"
	      "        compadd -- --help --version\n"
	      "        return\n"
	      "    fi\n"
	      "    local cmd=$words[2]\n"
	      "    shift words\n"
	      "    (( CURRENT-- ))\n"
	      "    case $cmd in\n"
	      "    help)\n"
	      "        _describe -t commands 'migen command' commands\n"
	      "        ;;\n",
	      f);
	for (c = mg_commands; c->name != NULL; c++) {
		fprintf(f, "    %s)\n        _arguments -s \\\n", c->name);
		for (o = c->options; o->name != NULL; o++) {
			if (o->has_arg == no_argument) {
				fprintf(f, "            '--%s' \\\n", o->name);
				continue;
			}
			option_value(c, o, &v);
			fprintf(f, "            '--%s=%s:%s:", o->name,
			        o->has_arg == optional_argument ? "-" : "", o->name);
			zsh_action(f, &v);
			fputs("' \\\n", f);
		}
		operand_value(c, &v);
		fputs("            '*:operand:", f);
		zsh_action(f, &v);
		fputs("'\n        ;;\n", f);
	}
	fputs("    esac\n"
	      "}\n"
	      "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
	      "    _migen \"$@\"\n"
	      "else\n"
	      "    compdef _migen migen\n"
	      "fi\n",
	      f);
}

static void
fish_value(FILE *f, const struct value *v)
{
	switch (v->kind) {
	case V_FILE:
		fputs(" -r -F", f);
		break;
	case V_DIR:
		fputs(" -x -a '(__fish_complete_directories)'", f);
		break;
	case V_WORDS:
		fprintf(f, " -x -a '%s'", v->words);
		break;
	case V_NONE:
		fputs(" -x", f);
		break;
	}
}

static void
fish(FILE *f)
{
	const struct mg_command *c;
	const struct option *o;
	struct value v;

	fputs("# fish completion for migen (written by `migen completions fish`)\n"
	      "complete -c migen -f\n"
	      "complete -c migen -n __fish_use_subcommand -l help -d 'print the help'\n"
	      "complete -c migen -n __fish_use_subcommand -l version -d 'print the version'\n"
	      "complete -c migen -n __fish_use_subcommand -a help -d 'describe a command'\n",
	      f);
	fputs("complete -c migen -n '__fish_seen_subcommand_from help' -a '", f);
	command_names(f);
	fputs("'\n", f);
	for (c = mg_commands; c->name != NULL; c++) {
		fprintf(f, "complete -c migen -n __fish_use_subcommand -a %s -d '", c->name);
		put_quoted(f, c->summary);
		fputs("'\n", f);
		for (o = c->options; o->name != NULL; o++) {
			fprintf(f, "complete -c migen -n '__fish_seen_subcommand_from %s' -l %s",
			        c->name, o->name);
			if (o->has_arg != no_argument) {
				option_value(c, o, &v);
				fish_value(f, &v);
			}
			fputc('\n', f);
		}
		operand_value(c, &v);
		if (v.kind == V_FILE)
			fprintf(f, "complete -c migen -n '__fish_seen_subcommand_from %s' -F\n",
			        c->name);
		else if (v.kind == V_WORDS)
			fprintf(f,
			        "complete -c migen -n '__fish_seen_subcommand_from %s' -a '%s'\n",
			        c->name, v.words);
	}
}

static const char completions_usage[] =
    "usage: migen completions bash|zsh|fish\n"
    "\n"
    "Prints the shell completion script for bash, zsh or fish, written from the\n"
    "command and option tables.\n"
    "Exit status: 0 printed, 2 bad arguments.\n";

static const struct mg_command completions_cmd = {
    "completions", mg_cmd_completions, "print a shell completion script", completions_usage, NULL};

int
mg_cmd_completions(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(completions_usage, stdout);
		return MG_EXIT_OK;
	}
	if (argc != 2)
		return mg_usage_error(&completions_cmd, "give one shell: bash, zsh or fish");
	if (strcmp(argv[1], "bash") == 0)
		bash(stdout);
	else if (strcmp(argv[1], "zsh") == 0)
		zsh(stdout);
	else if (strcmp(argv[1], "fish") == 0)
		fish(stdout);
	else
		return mg_usage_error(&completions_cmd, "'%s' is not bash, zsh or fish",
		                      mg_cli_shown(argv[1]));
	return MG_EXIT_OK;
}
