/* smpp_text.h — what a submit_sm's octets mean: text encodings (GSM 03.38 7-bit, IA5, Latin-1,
 * UCS-2) to UTF-8, the user data header (concatenation), and SMPP time strings. Pure functions,
 * no I/O, no global state (fuzzed with the PDU codec). */
#ifndef HERALD_SMPP_TEXT_H
#define HERALD_SMPP_TEXT_H
#include <stddef.h>
#include <stdint.h>
#include "buf.h"

/* Concatenation info of a user data header. */
struct smpp_udh {
	size_t len;            /* octets of the whole header, UDHL byte included */
	int concat;            /* an IEI 0x00 or 0x08 element was present */
	uint16_t ref;
	uint8_t total, seq;
};

/* Parses the UDH at the start of p[0..n). 0, or -1 when it is malformed (length beyond the
 * data, element overrunning the header, concat element with total 0 or seq outside 1..total). */
int smpp_udh_parse(const uint8_t *p, size_t n, struct smpp_udh *out);

/* Appends the UTF-8 text of p[skip..n) in data_coding dc to out.
 *   0 (and 0xF0-style values whose low nibble is 0): GSM 03.38 default alphabet with the
 *     extension table. Unpacked (one septet per octet) unless an octet has its high bit set,
 *     which only packed data has; packed data starts after the UDH (skip octets) at the next
 *     septet boundary.
 *   1 IA5 (ASCII), 3 Latin-1, 8 UCS-2 big-endian (surrogate pairs joined; a lone surrogate
 *     becomes U+FFFD).
 * NUL characters at the end are dropped (padding); a NUL followed by other text is invalid.
 * Returns 0; -1 when the octets are not valid in that coding; -2 for a coding not supported. */
int smpp_text_decode(uint8_t dc, const uint8_t *p, size_t n, size_t skip, struct buf *out);

/* How many septets code point cp takes in the GSM 03.38 default alphabet: 1, 2 (through the
 * extension table), or 0 when the alphabet does not have it. */
int smpp_gsm_septets(uint32_t cp);

/* Appends the UTF-8 text as SMS octets and returns their data_coding: 0, GSM 03.38 default
 * alphabet unpacked (one septet per octet, the extension table through 0x1B) when every
 * character is in it, else 8, UCS-2 big-endian (surrogate pairs beyond U+FFFF; an invalid byte
 * becomes U+FFFD). The octets' count is the septets or twice the UTF-16 units (sms.h). */
int smpp_text_encode(const char *text, struct buf *out);

/* Appends code point cp as UTF-8. */
void smpp_utf8_put(struct buf *out, uint32_t cp);

/* Parses an SMPP time (schedule_delivery_time / validity_period): absolute
 * "YYMMDDhhmmsstnnp" (p '+' or '-', nn quarter hours from UTC) or relative "YYMMDDhhmmss000R".
 * now is the current epoch second. Returns 1 with *epoch set, 0 for the empty string, -1 when
 * malformed. */
int smpp_time_parse(const char *s, int64_t now, int64_t *epoch);

#endif
