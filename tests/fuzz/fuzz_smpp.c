/* libFuzzer target over the SMPP framing (the input as a stream: every PDU framed off it lies
 * inside it), the PDU decoder and what a submit_sm's octets go through: every
 * decoded PDU is encoded again and must decode to the same command; short_message and
 * message_payload are run through the UDH parser and every text decoding (valid UTF-8 without
 * NUL, or refused); times are parsed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "smpp_pdu.h"
#include "smpp_text.h"
#include "util.h"

static void text(const uint8_t *p, size_t n)
{
	static const uint8_t codings[] = {0, 1, 3, 4, 8, 0xF0};
	struct smpp_udh u;
	size_t skip = smpp_udh_parse(p, n, &u) == 0 ? u.len : 0;
	for (size_t i = 0; i < sizeof(codings); i++) {
		struct buf b = BUF_INIT;
		if (smpp_text_decode(codings[i], p, n, skip, &b) == 0 && b.len &&
		    (utf8_length(b.data, b.len) < 0 || memchr(b.data, '\0', b.len) != NULL))
			abort();    /* every decoding must produce valid UTF-8 without NUL */
		buf_free(&b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smpp_pdu p, q;
	int64_t e;
	uint32_t len, seq;
	for (size_t off = 0; smpp_frame(data + off, size - off, SMPP_PDU_MAX, &len, &seq) == 1; off += len)
		if (len < SMPP_HEADER_LEN || len > size - off)
			abort();
	if (smpp_decode(data, size, &p) == ESME_ROK) {
		struct buf b = BUF_INIT;
		if (smpp_encode(&p, &b) == 0) {
			if (smpp_decode((const uint8_t *)b.data, b.len, &q) != ESME_ROK ||
			    q.command_id != p.command_id || q.seq != p.seq)
				abort();
		}
		buf_free(&b);
		text(p.sm, p.sm_len);
		if (p.has_payload)
			text(p.payload, p.payload_len);
		smpp_time_parse(p.schedule, 1795428000, &e);
		smpp_time_parse(p.validity, 1795428000, &e);
	}
	text(data, size);
	return 0;
}
