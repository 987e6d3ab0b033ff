/*
 * Unit tests for pystr.h: every form of Python string literal migen may meet
 * in a migration, decoded to the exact bytes CPython would give, and the
 * UTF-8 check that guards every input file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "migen/pystr.h"
#include "unit.h"

/* Decodes raw (a C string holding the literal's source) into *out. */
static enum mg_pystr_result
decode(const char *raw, struct mg_buf *out, char *quote)
{
	memset(out, 0, sizeof(*out));
	return mg_pystr_decode(raw, strlen(raw), out, quote);
}

/* raw decodes to exactly want[0..wlen): same length, same bytes. */
static void
check_bytes(const char *raw, const char *want, size_t wlen)
{
	struct mg_buf b;
	enum mg_pystr_result r = decode(raw, &b, NULL);

	if (r != MG_PYSTR_OK)
		print_error("literal %s: result %d\n", raw, (int)r);
	assert_int_equal(r, MG_PYSTR_OK);
	assert_non_null(b.s);
	if (b.len != wlen)
		print_error("literal %s: got %zu bytes \"%s\", want %zu\n", raw, b.len, b.s, wlen);
	assert_int_equal(b.len, wlen);
	assert_memory_equal(b.s, want, wlen);
	assert_int_equal(b.s[b.len], '\0');
	mg_buf_free(&b);
}

#define CHECK(raw, want) check_bytes((raw), (want), sizeof(want) - 1)

static void
check_result(const char *raw, enum mg_pystr_result want)
{
	struct mg_buf b;
	enum mg_pystr_result r = decode(raw, &b, NULL);

	if (r != want)
		print_error("literal %s: result %d, want %d\n", raw, (int)r, (int)want);
	assert_int_equal(r, want);
	mg_buf_free(&b);
}

static void
test_empty(void **state)
{
	(void)state;
	CHECK("''", "");
	CHECK("\"\"", "");
	CHECK("''''''", "");
	CHECK("\"\"\"\"\"\"", "");
	CHECK("r''", "");
	CHECK("b\"\"", "");
}

static void
test_plain(void **state)
{
	(void)state;
	CHECK("'users'", "users");
	CHECK("\"users\"", "users");
	CHECK("'it\"s'", "it\"s");
	CHECK("\"it's\"", "it's");
	CHECK("u'caf\xC3\xA9'", "caf\xC3\xA9");
	CHECK("U\"x\"", "x");
}

static void
test_quote_out(void **state)
{
	struct mg_buf b;
	char q = 0;

	(void)state;
	assert_int_equal(decode("'a'", &b, &q), MG_PYSTR_OK);
	assert_int_equal(q, '\'');
	mg_buf_free(&b);
	q = 0;
	assert_int_equal(decode("rb\"a\"", &b, &q), MG_PYSTR_OK);
	assert_int_equal(q, '"');
	mg_buf_free(&b);
	q = 0;
	assert_int_equal(decode("\"\"\"a\"\"\"", &b, &q), MG_PYSTR_OK);
	assert_int_equal(q, '"');
	mg_buf_free(&b);
}

static void
test_raw(void **state)
{
	(void)state;
	CHECK("r'a\\nb'", "a\\nb");
	check_bytes("r\"\\n\"", "\\n", 2);
	CHECK("R\"\\d+\"", "\\d+");
	/* The backslash only stops the quote from ending the literal: both stay. */
	check_bytes("r\"\\\"\"", "\\\"", 2);
	CHECK("r'\\''", "\\'");
	CHECK("r'\\\\'", "\\\\");
	CHECK("r'\\x41\\u00e9\\101'", "\\x41\\u00e9\\101");
	/* Backslash-newline in a raw string keeps both. */
	CHECK("r'''a\\\nb'''", "a\\\nb");
}

static void
test_raw_crlf_continuation(void **state)
{
	(void)state;
	/*
	 * Regression (fixed): src/parse/pystr.c mg_pystr_decode(): the raw-string branch copies the
	 * backslash and the next byte as they are, so a CR after a backslash
	 * escapes newline normalisation: r'''a\<CR><LF>b''' gives the 5 bytes
	 * a \ CR LF b, CPython gives the 4 bytes a \ LF b.
	 */
	/*
	 * Python reads the file with universal newlines, so the CRLF after a
	 * backslash in a raw literal is a single \n as well.
	 */
	CHECK("r'''a\\\r\nb'''", "a\\\nb");
}

static void
test_bytes(void **state)
{
	struct mg_buf b;

	(void)state;
	CHECK("b'ab'", "ab");
	CHECK("b'\\x41'", "A");
	check_bytes("b'\\xff'", "\xff", 1);
	check_bytes("B'\\xFF\\x00'", "\xff\0", 2);
	check_bytes("b'\\377'", "\xff", 1);
	/* \u, \U and \N are not escapes in bytes: they stay as written. */
	CHECK("b'\\u00e9'", "\\u00e9");
	CHECK("b'\\U0001F600'", "\\U0001F600");
	CHECK("b'\\N{DASH}'", "\\N{DASH}");
	CHECK("rb'\\x41'", "\\x41");
	CHECK("Br'\\n'", "\\n");
	CHECK("bR'\\n'", "\\n");
	assert_int_equal(decode("b'\\xff'", &b, NULL), MG_PYSTR_OK);
	assert_int_equal((unsigned char)b.s[0], 0xFF);
	mg_buf_free(&b);
}

static void
test_triple(void **state)
{
	(void)state;
	CHECK("'''a\nb'''", "a\nb");
	CHECK("\"\"\"\nCREATE INDEX x\n    ON t (a)\n\"\"\"", "\nCREATE INDEX x\n    ON t (a)\n");
	CHECK("'''it's'''", "it's");
	CHECK("\"\"\"say \"hi\" \"\"\"", "say \"hi\" ");
	/* CRLF and lone CR inside the literal become \n. */
	CHECK("\"\"\"a\r\nb\rc\r\n\"\"\"", "a\nb\nc\n");
	CHECK("'''a\r\n\r\nb'''", "a\n\nb");
	CHECK("r'''a\r\nb'''", "a\nb");
	CHECK("b'''a\r\nb'''", "a\nb");
}

static void
test_simple_escapes(void **state)
{
	(void)state;
	CHECK("'\\n'", "\n");
	CHECK("'\\t'", "\t");
	CHECK("'\\\\'", "\\");
	CHECK("'\\''", "'");
	CHECK("\"\\\"\"", "\"");
	CHECK("'\\\"'", "\"");
	CHECK("\"\\'\"", "'");
	CHECK("'\\a\\b\\f\\r\\v'", "\a\b\f\r\v");
	CHECK("'a\\n\\tb\\\\c'", "a\n\tb\\c");
}

static void
test_hex_octal_unicode(void **state)
{
	(void)state;
	CHECK("'\\x41'", "A");
	CHECK("'\\x4a\\x4A'", "JJ");
	/* In str, \xff is U+00FF, written as UTF-8. */
	CHECK("'\\xff'", "\xC3\xBF");
	CHECK("'\\101'", "A");
	CHECK("'\\7'", "\a");
	CHECK("'\\60\\061'", "01");
	/* At most three octal digits. */
	CHECK("'\\1014'", "A4");
	/* \0 is a NUL byte inside the value. */
	check_bytes("'a\\0b'", "a\0b", 3);
	CHECK("'\\u00e9'", "\xC3\xA9");
	CHECK("'\\u20AC'", "\xE2\x82\xAC");
	CHECK("'\\U0001F600'", "\xF0\x9F\x98\x80");
	CHECK("'\\U0010FFFF'", "\xF4\x8F\xBF\xBF");
	CHECK("'\\u0041b'", "Ab");
}

static void
test_continuation(void **state)
{
	(void)state;
	CHECK("'a\\\nb'", "ab");
	CHECK("'a\\\r\nb'", "ab");
	CHECK("'''a\\\nb\nc'''", "ab\nc");
	CHECK("\"SELECT 1 \\\n  FROM t\"", "SELECT 1   FROM t");
}

static void
test_unknown_escape_kept(void **state)
{
	(void)state;
	CHECK("'\\d'", "\\d");
	CHECK("'a\\d+\\w'", "a\\d+\\w");
	CHECK("'\\%'", "\\%");
	CHECK("'\\8'", "\\8");
}

static void
test_fstring(void **state)
{
	(void)state;
	check_result("f'x{y}'", MG_PYSTR_FSTRING);
	check_result("F\"x\"", MG_PYSTR_FSTRING);
	check_result("rf'{a}\\n'", MG_PYSTR_FSTRING);
	check_result("fR\"x\"", MG_PYSTR_FSTRING);
	check_result("f'''CREATE INDEX {name}'''", MG_PYSTR_FSTRING);
	check_result("f\"\"", MG_PYSTR_FSTRING);
}

static void
test_malformed(void **state)
{
	(void)state;
	check_result("", MG_PYSTR_MALFORMED);
	check_result("'", MG_PYSTR_MALFORMED);
	check_result("\"", MG_PYSTR_MALFORMED);
	check_result("'abc", MG_PYSTR_MALFORMED);
	check_result("abc'", MG_PYSTR_MALFORMED);
	check_result("abc", MG_PYSTR_MALFORMED);
	check_result("'abc\"", MG_PYSTR_MALFORMED);
	check_result("r", MG_PYSTR_MALFORMED);
	check_result("x'a'", MG_PYSTR_MALFORMED);
	check_result("'''abc", MG_PYSTR_MALFORMED);
	check_result("'''abc'", MG_PYSTR_MALFORMED);
	/* The closing quote is escaped: the literal never ends. */
	check_result("'abc\\'", MG_PYSTR_MALFORMED);
	check_result("r'abc\\'", MG_PYSTR_MALFORMED);
	/* Bad escapes. */
	check_result("'\\x'", MG_PYSTR_MALFORMED);
	check_result("'\\x4'", MG_PYSTR_MALFORMED);
	check_result("'\\xZZ'", MG_PYSTR_MALFORMED);
	check_result("'\\x4g'", MG_PYSTR_MALFORMED);
	check_result("b'\\xG0'", MG_PYSTR_MALFORMED);
	check_result("'\\u12'", MG_PYSTR_MALFORMED);
	check_result("'\\u12zz'", MG_PYSTR_MALFORMED);
	check_result("'\\U0001F60'", MG_PYSTR_MALFORMED);
	check_result("'\\N{EM DASH}'", MG_PYSTR_MALFORMED);
	/* Surrogates and code points past U+10FFFF. */
	check_result("'\\ud800'", MG_PYSTR_MALFORMED);
	check_result("'\\uDFFF'", MG_PYSTR_MALFORMED);
	check_result("'\\U0000D800'", MG_PYSTR_MALFORMED);
	check_result("'\\U00110000'", MG_PYSTR_MALFORMED);
	check_result("'\\UFFFFFFFF'", MG_PYSTR_MALFORMED);
}

static void
test_malformed_short_triple(void **state)
{
	(void)state;
	/*
	 * Regression (fixed): src/parse/pystr.c mg_pystr_decode(): a literal is taken as
	 * triple-quoted only when it is at least 6 bytes long, so 3, 4 or 5
	 * quotes decode as a single-quoted literal holding 1, 2 or 3 quotes
	 * (MG_PYSTR_OK) instead of MG_PYSTR_MALFORMED.
	 */
	/*
	 * Three to five quotes open a triple-quoted literal that never closes
	 * (CPython: "unterminated triple-quoted string literal").
	 */
	check_result("'''", MG_PYSTR_MALFORMED);
	check_result("''''", MG_PYSTR_MALFORMED);
	check_result("'''''", MG_PYSTR_MALFORMED);
	check_result("\"\"\"\"\"", MG_PYSTR_MALFORMED);
}

static void
test_decode_appends(void **state)
{
	struct mg_buf b = {0};

	(void)state;
	/* The value is appended: implicit concatenation relies on it. */
	assert_int_equal(mg_pystr_decode("'ab'", 4, &b, NULL), MG_PYSTR_OK);
	assert_int_equal(mg_pystr_decode("\"cd\"", 4, &b, NULL), MG_PYSTR_OK);
	assert_int_equal(b.len, 4);
	assert_string_equal(b.s, "abcd");
	mg_buf_free(&b);
	/* Only n bytes are read. */
	assert_int_equal(mg_pystr_decode("'x' + 'y'", 3, &b, NULL), MG_PYSTR_OK);
	assert_string_equal(b.s, "x");
	mg_buf_free(&b);
}

#define VALID(s) assert_int_equal(mg_utf8_valid((s), sizeof(s) - 1), 1)
#define INVALID(s) assert_int_equal(mg_utf8_valid((s), sizeof(s) - 1), 0)

static void
test_utf8_valid(void **state)
{
	(void)state;
	VALID("");
	VALID("plain ascii\n\t~\x7f");
	VALID("a\0b");
	VALID("\xC3\xA9");         /* U+00E9 */
	VALID("\xC2\x80");         /* U+0080, smallest 2-byte */
	VALID("\xDF\xBF");         /* U+07FF */
	VALID("\xE0\xA0\x80");     /* U+0800, smallest 3-byte */
	VALID("\xE2\x82\xAC");     /* U+20AC */
	VALID("\xED\x9F\xBF");     /* U+D7FF, just below the surrogates */
	VALID("\xEE\x80\x80");     /* U+E000, just above */
	VALID("\xEF\xBB\xBF");     /* the BOM */
	VALID("\xEF\xBF\xBF");     /* U+FFFF */
	VALID("\xF0\x90\x80\x80"); /* U+10000 */
	VALID("\xF0\x9F\x98\x80"); /* U+1F600 */
	VALID("\xF4\x8F\xBF\xBF"); /* U+10FFFF */
	VALID("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 end");
}

static void
test_utf8_overlong(void **state)
{
	(void)state;
	INVALID("\xC0\x80");
	INVALID("\xC0\xAF");
	INVALID("\xC1\xBF");
	INVALID("\xE0\x80\x80");
	INVALID("\xE0\x9F\xBF");
	INVALID("\xF0\x80\x80\x80");
	INVALID("\xF0\x8F\xBF\xBF");
}

static void
test_utf8_surrogate(void **state)
{
	(void)state;
	INVALID("\xED\xA0\x80"); /* U+D800 */
	INVALID("\xED\xAD\xBF");
	INVALID("\xED\xBF\xBF"); /* U+DFFF */
	INVALID("a\xED\xB0\x80z");
}

static void
test_utf8_truncated(void **state)
{
	(void)state;
	INVALID("\xC3");
	INVALID("\xE2\x82");
	INVALID("\xF0\x9F\x98");
	INVALID("a\xC3");
	INVALID("a\xC3z");
	INVALID("\xE2\x82z");
	INVALID("\xF0\x9F\x98z");
	/* Bytes past n are not looked at. */
	assert_int_equal(mg_utf8_valid("\xC3\xA9", 1), 0);
	assert_int_equal(mg_utf8_valid("ab\xC3\xA9", 2), 1);
}

static void
test_utf8_out_of_range(void **state)
{
	(void)state;
	INVALID("\xF4\x90\x80\x80"); /* U+110000 */
	INVALID("\xF5\x80\x80\x80");
	INVALID("\xF7\xBF\xBF\xBF");
	INVALID("\xF8\x88\x80\x80\x80");
	INVALID("\xFC\x84\x80\x80\x80\x80");
	INVALID("\xFE");
	INVALID("\xFF");
	/* Stray continuation bytes and Latin-1. */
	INVALID("\x80");
	INVALID("\xBF");
	INVALID("caf\xE9");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_plain),
	    cmocka_unit_test(test_quote_out),
	    cmocka_unit_test(test_raw),
	    cmocka_unit_test(test_raw_crlf_continuation),
	    cmocka_unit_test(test_bytes),
	    cmocka_unit_test(test_triple),
	    cmocka_unit_test(test_simple_escapes),
	    cmocka_unit_test(test_hex_octal_unicode),
	    cmocka_unit_test(test_continuation),
	    cmocka_unit_test(test_unknown_escape_kept),
	    cmocka_unit_test(test_fstring),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_malformed_short_triple),
	    cmocka_unit_test(test_decode_appends),
	    cmocka_unit_test(test_utf8_valid),
	    cmocka_unit_test(test_utf8_overlong),
	    cmocka_unit_test(test_utf8_surrogate),
	    cmocka_unit_test(test_utf8_truncated),
	    cmocka_unit_test(test_utf8_out_of_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
