/* list: membership in NULL-terminated arrays and comma-separated text. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "list.h"

Test(list, has_in_an_array)
{
	static const char *const sorts[] = {"id", "-id", NULL};
	static const char *const none[] = {NULL};
	cr_expect(list_has(sorts, "-id"));
	cr_expect(!list_has(sorts, "name"));
	cr_expect(!list_has(sorts, "i"));
	cr_expect(!list_has(none, ""));
}

/* Every item of text joined with '|', each in brackets. */
static void walk(const char *text, const char *want)
{
	struct list_walk w = {text};
	const char *item;
	size_t len;
	char got[128] = "";
	while (list_next(&w, &item, &len)) {
		size_t n = strlen(got);
		snprintf(got + n, sizeof(got) - n, "%s[%.*s]", n ? "|" : "", (int)len, item);
	}
	cr_expect_str_eq(got, want, "%s", text ? text : "(null)");
}

Test(list, walks_comma_separated_text)
{
	walk("a,b", "[a]|[b]");
	walk(" a ,\tb\t, c", "[a]|[b]|[c]");
	walk("a,,b", "[a]|[]|[b]");
	walk("a,", "[a]|[]");
	walk("", "[]");
	walk(NULL, "");
}

Test(list, has_in_text)
{
	cr_expect(list_text_has("web, dispatch", "dispatch"));
	cr_expect(list_text_has("web,dispatch", "web"));
	cr_expect(!list_text_has("web,dispatch", "we"));
	cr_expect(!list_text_has("webs", "web"));
	cr_expect(!list_text_has(NULL, "web"));
}
