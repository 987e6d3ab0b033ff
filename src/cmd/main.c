/* migen: makes Alembic migrations safe for production PostgreSQL. */
#include "migen/cli.h"

int
main(int argc, char **argv)
{
	return mg_cli_main(argc, argv);
}
