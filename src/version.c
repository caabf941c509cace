/* version.c — the build's version string (see version.h). */
#include "version.h"

#include <string.h>

#ifndef HERALD_VERSION
#define HERALD_VERSION "unknown" /* built without the Makefile (tests/fuzz/run.sh) */
#endif

#define VERSION_MAX 64

const char *herald_version(void)
{
	static const char v[] = HERALD_VERSION;
	size_t n = strlen(v);
	if (n < 1 || n > VERSION_MAX ||
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.+_-") != n)
		return "unknown";
	return v;
}
