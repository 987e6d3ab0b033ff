/* Placeholder until the command lands; replaced by its own issue's work. */
#include "migen/cli.h"

const char mg_backfill_template_usage[] = "usage: migen backfill-template (not available yet)\n";

int
mg_cmd_backfill_template(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return mg_usage_error(mg_command_find("backfill-template"), "'backfill-template' is not implemented yet");
}
