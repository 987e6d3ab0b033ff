#include "migen/cli.h"
const char mg_enhance_usage[] = "usage: migen enhance --file FILE\n";
int
mg_cmd_enhance(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}
