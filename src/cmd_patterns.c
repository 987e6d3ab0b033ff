/* Placeholder until the command lands; replaced by its own issue's work. */
#include "migen/cli.h"

const char mg_patterns_usage[] = "usage: migen patterns (not available yet)\n";

int
mg_cmd_patterns(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return mg_usage_error(mg_command_find("patterns"), "'patterns' is not implemented yet");
}
