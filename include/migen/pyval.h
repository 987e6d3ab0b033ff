/*
 * Python source that users type on the command line: a value bound as a
 * parameter (`--default`) and an SQLAlchemy type (`--type`). Both end up as
 * code in a migration, so they are accepted only in forms that cannot run
 * anything: literals, and type constructors from `sa.` or `postgresql.` with
 * literal arguments.
 */
#ifndef MIGEN_PYVAL_H
#define MIGEN_PYVAL_H

/*
 * Whether s is a Python literal that means the same as typed and can be
 * printed as-is: an integer or decimal without leading zeros, True or False.
 * Anything else is printed as a string literal (mg_snippet_pystr()).
 */
int mg_pyval_is_plain(const char *s);
/* NULL when s may go into a Python string literal (valid UTF-8), else why not. */
const char *mg_pyval_str_refusal(const char *s);
/*
 * NULL when s is an SQLAlchemy type expression migen will print, else why not:
 *   type  := ("sa" | "postgresql") ("." Name)+ [ "(" [arg ("," arg)*] ")" ]
 *   arg   := [name "="] (number | 'text' | True | False | None | type)
 * where the last Name starts with an uppercase letter (a type class, not a
 * function such as sa.text) and 'text' has no quote, backslash or control
 * character in it.
 */
const char *mg_pyval_type_refusal(const char *s);

#endif
