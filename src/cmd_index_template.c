/* Placeholder until the command lands; replaced by its own issue's work. */
#include "migen/cli.h"

const char mg_index_template_usage[] = "usage: migen index-template (not available yet)\n";

int
mg_cmd_index_template(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return mg_usage_error(mg_command_find("index-template"), "'index-template' is not implemented yet");
}
