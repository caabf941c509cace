/* sms.c — encodings and segments of SMS texts (see sms.h). */
#include "sms.h"
#include "smpp_text.h"
#include "util.h"

#include <stdint.h>
#include <string.h>

void sms_measure(const char *text, struct sms_size *out)
{
	const char *p = text, *end = text + strlen(text);
	long septets = 0, units = 0;
	int gsm = 1;
	while (p < end) {
		uint32_t cp;
		if (utf8_next(&p, end, &cp) < 0) {
			p++;
			cp = 0xFFFD;
		}
		int s = smpp_gsm_septets(cp);
		gsm = gsm && s > 0;
		septets += s;
		units += cp > 0xFFFF ? 2 : 1;
	}
	out->encoding = gsm ? "gsm7" : "ucs2";
	out->units = gsm ? septets : units;
	long single = gsm ? 160 : 70, part = gsm ? 153 : 67;
	out->segments = out->units <= single ? 1 : (int)((out->units + part - 1) / part);
}
