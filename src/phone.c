/* phone.c — written phones to 7XXXXXXXXXX. */
#include "phone.h"

#include <string.h>

/* Copies the digits of s into digits (at most PHONE_LEN + 1 of them, so that one too many is
 * seen) and says whether it started with +. Returns the number of digits, or -1 when s holds
 * anything but digits and separators, a + after the start, or more than PHONE_INPUT_MAX bytes. */
static int digits_of(const char *s, char digits[PHONE_LEN + 2], int *plus)
{
	int n = 0;
	*plus = 0;
	if (strlen(s) > PHONE_INPUT_MAX)
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n == PHONE_LEN + 1)
				return -1;
			digits[n++] = *p;
		} else if (*p == '+' && n == 0 && !*plus) {
			*plus = 1;
		} else if (p[0] == '\xC2' && p[1] == '\xA0') {
			p++;   /* a no-break space, as spreadsheets format numbers */
		} else if (!strchr(" \t()-.", *p)) {
			return -1;
		}
	}
	digits[n] = '\0';
	return n;
}

int phone_normalise(const char *s, char out[PHONE_LEN + 1])
{
	char d[PHONE_LEN + 2];
	int plus, n = digits_of(s, d, &plus);
	out[0] = '\0';
	if (n == PHONE_LEN && (d[0] == '7' || (d[0] == '8' && !plus))) {
		out[0] = '7';
		memcpy(out + 1, d + 1, PHONE_LEN);   /* with the NUL */
		return 0;
	}
	if (n == PHONE_LEN - 1 && d[0] == '9' && !plus) {
		out[0] = '7';
		memcpy(out + 1, d, PHONE_LEN);
		return 0;
	}
	return -1;
}

int phone_prefix_normalise(const char *s, char out[PHONE_LEN + 1])
{
	char d[PHONE_LEN + 2];
	int plus, n = digits_of(s, d, &plus);
	out[0] = '\0';
	if (n < 1 || n > PHONE_LEN || !(d[0] == '7' || (d[0] == '8' && !plus)))
		return -1;
	out[0] = '7';
	memcpy(out + 1, d + 1, (size_t)n);   /* with the NUL */
	return 0;
}
