/* unit.c — see unit.h. */
#include "unit.h"
#include "i18n.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

void unit_path(char *out, size_t len, const char *sub)
{
	const char *root = getenv("HERALD_ROOT");
	snprintf(out, len, "%s/%s", root && *root ? root : ".", sub);
}

void unit_catalogues(void)
{
	char err[256] = "", path[4096];
	unit_path(path, sizeof(path), "locale");
	cr_assert_eq(i18n_load(path, err, sizeof(err)), 0, "%s", err);
}
