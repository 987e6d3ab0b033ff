/* Placeholder until the command lands; replaced by its own issue's work. */
#include "migen/cli.h"

const char mg_doctor_usage[] = "usage: migen doctor (not available yet)\n";

int
mg_cmd_doctor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return mg_usage_error(mg_command_find("doctor"), "'doctor' is not implemented yet");
}
