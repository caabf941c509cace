/* smpp_text.c — SMPP text encodings, user data headers and times (see smpp_text.h). */
#include "smpp_text.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* GSM 03.38 default alphabet, septet -> Unicode (0x1B is the escape to the extension table). */
static const uint16_t gsm_basic[128] = {
	0x0040, 0x00A3, 0x0024, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC,
	0x00F2, 0x00C7, 0x000A, 0x00D8, 0x00F8, 0x000D, 0x00C5, 0x00E5,
	0x0394, 0x005F, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8,
	0x03A3, 0x0398, 0x039E, 0x001B, 0x00C6, 0x00E6, 0x00DF, 0x00C9,
	0x0020, 0x0021, 0x0022, 0x0023, 0x00A4, 0x0025, 0x0026, 0x0027,
	0x0028, 0x0029, 0x002A, 0x002B, 0x002C, 0x002D, 0x002E, 0x002F,
	0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037,
	0x0038, 0x0039, 0x003A, 0x003B, 0x003C, 0x003D, 0x003E, 0x003F,
	0x00A1, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,
	0x0048, 0x0049, 0x004A, 0x004B, 0x004C, 0x004D, 0x004E, 0x004F,
	0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057,
	0x0058, 0x0059, 0x005A, 0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7,
	0x00BF, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067,
	0x0068, 0x0069, 0x006A, 0x006B, 0x006C, 0x006D, 0x006E, 0x006F,
	0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077,
	0x0078, 0x0079, 0x007A, 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0,
};

/* The extension table: the septet after 0x1B and what it means; any other septet there shows
 * as its basic character. */
static const struct { uint8_t septet; uint16_t cp; } gsm_extension[] = {
	{0x0A, 0x000C}, {0x14, '^'}, {0x28, '{'}, {0x29, '}'}, {0x2F, '\\'},
	{0x3C, '['}, {0x3D, '~'}, {0x3E, ']'}, {0x40, '|'}, {0x65, 0x20AC},
};

static uint32_t gsm_ext(uint8_t s)
{
	for (size_t i = 0; i < sizeof(gsm_extension) / sizeof(gsm_extension[0]); i++)
		if (gsm_extension[i].septet == s)
			return gsm_extension[i].cp;
	return gsm_basic[s & 0x7F];
}

void smpp_utf8_put(struct buf *out, uint32_t cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	buf_append(out, u, n);
}

/* Septets -> UTF-8 with the escape handled; a trailing lone escape is dropped. */
static void gsm_septets(const uint8_t *s, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == 0x1B) {
			if (i + 1 < n)
				smpp_utf8_put(out, gsm_ext(s[++i]));
			continue;
		}
		smpp_utf8_put(out, gsm_basic[s[i] & 0x7F]);
	}
}

/* Packed GSM 7-bit: octets p[0..n), the first septet starting at bit `bit` of the stream. */
static void gsm_packed(const uint8_t *p, size_t n, size_t bit, struct buf *out)
{
	if (bit >= n * 8)
		return;
	size_t bits = n * 8 - bit, count = bits / 7;
	uint8_t *s = xmalloc(count ? count : 1);
	for (size_t i = 0; i < count; i++, bit += 7) {
		size_t byte = bit / 8, shift = bit % 8;
		unsigned v = p[byte] >> shift;
		if (shift > 1 && byte + 1 < n)
			v |= (unsigned)p[byte + 1] << (8 - shift);
		s[i] = (uint8_t)(v & 0x7F);
	}
	/* When the bits are a multiple of 7, the last septet may be 7 fill bits of 0 that read as
	 * '@'. Drop it (GSM 03.38 says to pad with CR; senders mostly pad with 0). */
	if (count > 0 && bits % 7 == 0 && s[count - 1] == 0)
		count--;
	gsm_septets(s, count, out);
	free(s);
}

static int decode(uint8_t dc, const uint8_t *p, size_t n, size_t skip, struct buf *out);

int smpp_text_decode(uint8_t dc, const uint8_t *p, size_t n, size_t skip, struct buf *out)
{
	size_t start = out->len;
	int rc = decode(dc, p, n, skip, out);
	if (rc < 0 || out->len == start)
		return rc;
	/* a text cannot hold U+0000 (PostgreSQL text cannot either): trailing ones are padding and
	 * are dropped, one inside the text refuses it rather than cutting it short */
	char *nul = memchr(out->data + start, '\0', out->len - start);
	if (nul == NULL)
		return 0;
	for (char *q = nul; q < out->data + out->len; q++)
		if (*q != '\0')
			return -1;
	out->len = (size_t)(nul - out->data);
	out->data[out->len] = '\0';
	return 0;
}

static int decode(uint8_t dc, const uint8_t *p, size_t n, size_t skip, struct buf *out)
{
	if (skip > n)
		return -1;
	const uint8_t *t = p + skip;
	size_t m = n - skip;
	/* 0xF0..0xF3 (data coding/message class group) with bit 2 clear is the default alphabet */
	if (dc == 0 || (dc & 0xF4) == 0xF0) {
		int packed = 0;
		for (size_t i = 0; i < m; i++)
			if (t[i] & 0x80)
				packed = 1;
		if (!packed) {
			gsm_septets(t, m, out);
			return 0;
		}
		size_t bit = skip ? ((skip * 8 + 6) / 7) * 7 : 0;
		gsm_packed(p, n, bit, out);
		return 0;
	}
	switch (dc) {
	case 1:
		for (size_t i = 0; i < m; i++) {
			if (t[i] & 0x80)
				return -1;
			smpp_utf8_put(out, t[i]);
		}
		return 0;
	case 3:
		for (size_t i = 0; i < m; i++)
			smpp_utf8_put(out, t[i]);
		return 0;
	case 8:
		if (m % 2)
			return -1;
		for (size_t i = 0; i < m; i += 2) {
			uint32_t u = (uint32_t)t[i] << 8 | t[i + 1];
			if (u >= 0xD800 && u <= 0xDBFF && i + 3 < m) {
				uint32_t lo = (uint32_t)t[i + 2] << 8 | t[i + 3];
				if (lo >= 0xDC00 && lo <= 0xDFFF) {
					smpp_utf8_put(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
					i += 2;
					continue;
				}
			}
			smpp_utf8_put(out, u >= 0xD800 && u <= 0xDFFF ? 0xFFFD : u);
		}
		return 0;
	default:
		return -2;
	}
}

int smpp_udh_parse(const uint8_t *p, size_t n, struct smpp_udh *out)
{
	memset(out, 0, sizeof(*out));
	if (n < 1 || (size_t)p[0] + 1 > n)
		return -1;
	out->len = (size_t)p[0] + 1;
	for (size_t i = 1; i < out->len;) {
		if (i + 2 > out->len)
			return -1;
		uint8_t iei = p[i], l = p[i + 1];
		const uint8_t *v = p + i + 2;
		if (i + 2 + l > out->len)
			return -1;
		if ((iei == 0x00 && l == 3) || (iei == 0x08 && l == 4)) {
			out->concat = 1;
			out->ref = iei == 0x00 ? v[0] : (uint16_t)(v[0] << 8 | v[1]);
			out->total = v[l - 2];
			out->seq = v[l - 1];
			if (out->total == 0 || out->seq == 0 || out->seq > out->total)
				return -1;
		}
		i += 2 + (size_t)l;
	}
	return 0;
}

static int two(const char *s, int max, int *out)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	*out = (s[0] - '0') * 10 + (s[1] - '0');
	return *out <= max ? 0 : -1;
}

int smpp_time_parse(const char *s, int64_t now, int64_t *epoch)
{
	if (*s == '\0')
		return 0;
	if (strlen(s) != 16)
		return -1;
	int yy, mo, dd, hh, mi, ss, nn;
	if (two(s, 99, &yy) || two(s + 2, 99, &mo) || two(s + 4, 99, &dd) || two(s + 6, 99, &hh) ||
	    two(s + 8, 99, &mi) || two(s + 10, 99, &ss) || s[12] < '0' || s[12] > '9' ||
	    two(s + 13, 99, &nn))
		return -1;
	if (s[15] == 'R') {
		if (mo > 11 || dd > 31 || hh > 23 || mi > 59 || ss > 59 || nn != 0 || s[12] != '0')
			return -1;
		/* relative: years of 365 days and months of 30, as SMSCs commonly count */
		*epoch = now + (((int64_t)yy * 365 + mo * 30 + dd) * 24 + hh) * 3600 + mi * 60 + ss;
		return 1;
	}
	if ((s[15] != '+' && s[15] != '-') || mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh > 23 ||
	    mi > 59 || ss > 59 || nn > 48)
		return -1;
	struct tm tm = {.tm_year = 100 + yy, .tm_mon = mo - 1, .tm_mday = dd, .tm_hour = hh,
			.tm_min = mi, .tm_sec = ss};
	time_t t = timegm(&tm);
	if (tm.tm_mday != dd)           /* timegm normalised an impossible date (31 April) */
		return -1;
	/* local time = UTC + offset, so UTC = local - offset */
	int64_t off = (int64_t)nn * 15 * 60;
	*epoch = (int64_t)t + (s[15] == '+' ? -off : off);
	return 1;
}

/* The septets of cp: 1 (*s), 2 (0x1B, then *s of the extension table) or 0 (not in the
 * alphabet). */
static int gsm_lookup(uint32_t cp, uint8_t *s)
{
	for (size_t i = 0; i < sizeof(gsm_extension) / sizeof(gsm_extension[0]); i++)
		if (gsm_extension[i].cp == cp) {
			*s = gsm_extension[i].septet;
			return 2;
		}
	for (int k = 0; k < 128; k++)
		if (gsm_basic[k] == cp && k != 0x1B) {
			*s = (uint8_t)k;
			return 1;
		}
	return 0;
}

int smpp_gsm_septets(uint32_t cp)
{
	uint8_t s;
	return gsm_lookup(cp, &s);
}

int smpp_text_encode(const char *text, struct buf *out)
{
	const char *end = text + strlen(text), *p = text;
	uint32_t cp;
	uint8_t s;
	int gsm = 1;
	while (gsm && p < end)
		gsm = utf8_next(&p, end, &cp) == 0 && gsm_lookup(cp, &s) > 0;
	for (p = text; p < end;) {
		if (utf8_next(&p, end, &cp) < 0) {
			p++;
			cp = 0xFFFD;
		}
		if (gsm) {
			if (gsm_lookup(cp, &s) == 2)
				buf_putc(out, 0x1B);
			buf_putc(out, (char)s);
			continue;
		}
		if (cp > 0xFFFF) {   /* a surrogate pair */
			cp -= 0x10000;
			uint16_t hi = (uint16_t)(0xD800 | cp >> 10), lo = (uint16_t)(0xDC00 | (cp & 0x3FF));
			char u[4] = {(char)(hi >> 8), (char)hi, (char)(lo >> 8), (char)lo};
			buf_append(out, u, 4);
		} else {
			char u[2] = {(char)(cp >> 8), (char)cp};
			buf_append(out, u, 2);
		}
	}
	return gsm ? 0 : 8;
}
