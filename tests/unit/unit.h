/*
 * What the unit tests share. A test that shows a known bug in src/ stays in
 * the suite but skips, so the suite is green while the bug is open; set
 * MIGEN_TEST_BUGS=1 to run those tests too (they fail until fixed).
 */
#ifndef MIGEN_TESTS_UNIT_H
#define MIGEN_TESTS_UNIT_H

#include <stdlib.h>

#define KNOWN_BUG()                                    \
	do {                                           \
		if (getenv("MIGEN_TEST_BUGS") == NULL) \
			skip();                        \
	} while (0)

#endif
