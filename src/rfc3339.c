/* rfc3339.c — RFC 3339 date-times as epoch seconds. */
#include "rfc3339.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int rfc3339_epoch(const char *s, double *out)
{
	struct tm tm = {0};
	int y, mo, d, h, mi, sec, n = 0;
	double frac = 0;
	if (rfc3339_valid(s) < 0 ||
	    sscanf(s, "%4d-%2d-%2d%*c%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
		return -1;
	const char *p = s + 19;
	if (*p == '.') {
		char *end;
		frac = strtod(p, &end);   /* ".123" parses as 0.123 */
		p = end;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	double t = (double)timegm(&tm) + frac;
	if (*p == '+' || *p == '-') {
		int off = ((p[1] - '0') * 10 + (p[2] - '0')) * 3600 + ((p[4] - '0') * 10 + (p[5] - '0')) * 60;
		t += *p == '+' ? -off : off;
	}
	*out = t;
	return 0;
}
