/* sms.h — what a text costs to send as SMS: its encoding (GSM 03.38 7-bit when every character
 * is in the default alphabet or its extension table, else UCS-2) and how many segments it
 * takes (one of 160 septets or 70 UTF-16 units; a longer text is split into segments of 153 or
 * 67, the rest being the concatenation header). */
#ifndef HERALD_SMS_H
#define HERALD_SMS_H

struct sms_size {
	const char *encoding;   /* "gsm7" or "ucs2" */
	long units;             /* septets (gsm7) or UTF-16 code units (ucs2) */
	int segments;
};

/* Measures the UTF-8 text (an invalid byte counts as one UCS-2 unit). */
void sms_measure(const char *text, struct sms_size *out);

#endif
