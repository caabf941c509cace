/* Unit tests of the SMPP codec, the text encodings, UDH parsing, SMPP times and receipts. */
#include <criterion/criterion.h>
#include <string.h>
#include "message_status.h"
#include "model_smpp_account.h"
#include "smpp_conn.h"
#include "smpp_pdu.h"
#include "smpp_text.h"

static struct buf enc(const struct smpp_pdu *p)
{
	struct buf b = BUF_INIT;
	cr_assert_eq(smpp_encode(p, &b), 0);
	return b;
}

Test(smpp_pdu, bind_round_trip)
{
	struct smpp_pdu p = {0}, q;
	p.command_id = SMPP_BIND_TRANSCEIVER;
	p.seq = 42;
	strcpy(p.system_id, "acct1");
	strcpy(p.password, "secret12");
	strcpy(p.system_type, "VMA");
	p.interface_version = 0x34;
	struct buf b = enc(&p);
	cr_assert_eq(b.len, 16 + 6 + 9 + 4 + 3 + 1);
	cr_assert_eq(smpp_decode((uint8_t *)b.data, b.len, &q), ESME_ROK);
	cr_assert_eq(q.command_id, SMPP_BIND_TRANSCEIVER);
	cr_assert_eq(q.seq, 42);
	cr_assert_str_eq(q.system_id, "acct1");
	cr_assert_str_eq(q.password, "secret12");
	cr_assert_str_eq(q.system_type, "VMA");
	cr_assert_eq(q.interface_version, 0x34);
	buf_free(&b);
}

Test(smpp_pdu, submit_with_tlvs_round_trip)
{
	static const uint8_t payload[] = "a long payload";
	struct smpp_pdu p = {0}, q;
	p.command_id = SMPP_SUBMIT_SM;
	p.seq = 7;
	strcpy(p.source_addr, "Shop");
	strcpy(p.destination_addr, "79161234567");
	strcpy(p.validity, "000001000000000R");
	p.esm_class = 0x40;
	p.data_coding = 8;
	p.registered_delivery = 1;
	p.payload = payload;
	p.payload_len = sizeof(payload) - 1;
	p.has_payload = 1;
	p.has_sar = 1;
	p.sar_ref = 0x1234;
	p.sar_total = 3;
	p.sar_seq = 2;
	struct buf b = enc(&p);
	cr_assert_eq(smpp_decode((uint8_t *)b.data, b.len, &q), ESME_ROK);
	cr_assert_str_eq(q.destination_addr, "79161234567");
	cr_assert_str_eq(q.validity, "000001000000000R");
	cr_assert_eq(q.data_coding, 8);
	cr_assert_eq(q.sm_len, 0);
	cr_assert(q.has_payload);
	cr_assert_eq(q.payload_len, sizeof(payload) - 1);
	cr_assert_eq(memcmp(q.payload, payload, q.payload_len), 0);
	cr_assert(q.has_sar);
	cr_assert_eq(q.sar_ref, 0x1234);
	cr_assert_eq(q.sar_total, 3);
	cr_assert_eq(q.sar_seq, 2);
	buf_free(&b);
}

Test(smpp_pdu, responses)
{
	struct smpp_pdu p = {0}, q;
	p.command_id = SMPP_SUBMIT_SM | SMPP_RESP;
	p.seq = 9;
	strcpy(p.message_id, "12345");
	struct buf b = enc(&p);
	cr_assert_eq(b.len, 16 + 6);
	cr_assert_eq(smpp_decode((uint8_t *)b.data, b.len, &q), ESME_ROK);
	cr_assert_str_eq(q.message_id, "12345");
	buf_reset(&b);
	p.status = ESME_RTHROTTLED;        /* an error response has no body */
	cr_assert_eq(smpp_encode(&p, &b), 0);
	cr_assert_eq(b.len, 16);
	cr_assert_eq(smpp_decode((uint8_t *)b.data, b.len, &q), ESME_ROK);
	cr_assert_eq(q.status, ESME_RTHROTTLED);
	buf_reset(&b);
	memset(&p, 0, sizeof(p));
	p.command_id = SMPP_QUERY_SM | SMPP_RESP;
	strcpy(p.message_id, "5");
	strcpy(p.final_date, "261123101500000+");
	p.message_state = SMPP_STATE_DELIVERED;
	cr_assert_eq(smpp_encode(&p, &b), 0);
	cr_assert_eq(smpp_decode((uint8_t *)b.data, b.len, &q), ESME_ROK);
	cr_assert_str_eq(q.final_date, "261123101500000+");
	cr_assert_eq(q.message_state, SMPP_STATE_DELIVERED);
	buf_free(&b);
}

Test(smpp_pdu, malformed)
{
	struct smpp_pdu q;
	uint8_t h[32] = {0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1};
	cr_assert_eq(smpp_decode(h, 16, &q), ESME_ROK);
	cr_assert_eq(smpp_decode(h, 15, &q), ESME_RINVCMDLEN);
	h[3] = 17;                          /* length disagrees with the bytes given */
	cr_assert_eq(smpp_decode(h, 16, &q), ESME_RINVCMDLEN);
	cr_assert_eq(smpp_decode(h, 17, &q), ESME_RINVCMDLEN);   /* enquire_link has no body */
	h[3] = 16;
	h[7] = 0x99;
	cr_assert_eq(smpp_decode(h, 16, &q), ESME_RINVCMDID);
	cr_assert_eq(q.seq, 1);
	/* bind with an unterminated system_id */
	uint8_t b[] = {0, 0, 0, 20, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 'a', 'b', 'c', 'd'};
	cr_assert_eq(smpp_decode(b, sizeof(b), &q), ESME_RINVCMDLEN);
	/* a system_id longer than 16 */
	uint8_t l[16 + 18 + 4 + 3] = {0, 0, 0, sizeof(l), 0, 0, 0, 2};
	memset(l + 16, 'x', 17);
	cr_assert_eq(smpp_decode(l, sizeof(l), &q), ESME_RINVSYSID);
}

Test(smpp_pdu, truncated_tlv)
{
	struct smpp_pdu p = {0}, q;
	p.command_id = SMPP_SUBMIT_SM;
	strcpy(p.destination_addr, "79161234567");
	struct buf b = enc(&p);
	uint8_t tlv[] = {0x04, 0x24, 0x00, 0x10, 'x'};   /* says 16 bytes, has 1 */
	buf_append(&b, tlv, sizeof(tlv));
	uint8_t *d = (uint8_t *)b.data;
	d[3] = (uint8_t)b.len;
	cr_assert_eq(smpp_decode(d, b.len, &q), ESME_RINVOPTPARSTREAM);
	buf_free(&b);
}

/* An optional parameter of fixed size given with another length is refused, whole or not. */
Test(smpp_pdu, fixed_size_tlv_of_another_length)
{
	static const struct { uint16_t tag, len; } bad[] = {
		{TLV_SAR_MSG_REF_NUM, 1}, {TLV_SAR_MSG_REF_NUM, 3}, {TLV_SAR_TOTAL_SEGMENTS, 2},
		{TLV_SAR_SEGMENT_SEQNUM, 0}, {TLV_MESSAGE_STATE, 2}, {TLV_SC_INTERFACE_VERSION, 4},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct smpp_pdu p = {0}, q;
		p.command_id = SMPP_SUBMIT_SM;
		strcpy(p.destination_addr, "79161234567");
		struct buf b = enc(&p);
		uint8_t tlv[8] = {(uint8_t)(bad[i].tag >> 8), (uint8_t)bad[i].tag, 0, (uint8_t)bad[i].len, 1, 1, 1, 1};
		buf_append(&b, tlv, 4u + bad[i].len);
		uint8_t *d = (uint8_t *)b.data;
		d[3] = (uint8_t)b.len;
		cr_assert_eq(smpp_decode(d, b.len, &q), ESME_RINVPARLEN, "tag 0x%04x, %u bytes", bad[i].tag, bad[i].len);
		buf_free(&b);
	}
}

static char *dec(uint8_t dc, const uint8_t *p, size_t n, size_t skip, int *rc)
{
	struct buf b = BUF_INIT;
	*rc = smpp_text_decode(dc, p, n, skip, &b);
	return b.data ? buf_steal(&b) : strdup("");
}

Test(smpp_text, gsm_unpacked_with_extensions)
{
	/* "@£$ [€] Ä" */
	uint8_t s[] = {0x00, 0x01, 0x02, 0x20, 0x1B, 0x3C, 0x1B, 0x65, 0x1B, 0x3E, 0x20, 0x5B};
	int rc;
	char *t = dec(0, s, sizeof(s), 0, &rc);
	cr_assert_eq(rc, 0);
	cr_assert_str_eq(t, "@£$ [€] Ä");
	free(t);
}

Test(smpp_text, gsm_packed)
{
	/* "hellohello" packed (the classic 3.38 example) */
	uint8_t s[] = {0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37};
	int rc;
	char *t = dec(0, s, sizeof(s), 0, &rc);
	cr_assert_eq(rc, 0);
	cr_assert_str_eq(t, "hellohello");
	free(t);
	/* 7 characters packed into 7 octets leave 7 fill bits, which must not read as '@' */
	uint8_t seven[] = {0x31, 0xD9, 0x8C, 0x56, 0xB3, 0xDD, 0x00};
	t = dec(0, seven, sizeof(seven), 0, &rc);
	cr_assert_str_eq(t, "1234567");
	free(t);
}

Test(smpp_text, latin1_ia5_ucs2)
{
	uint8_t l1[] = {'C', 'a', 'f', 0xE9};
	int rc;
	char *t = dec(3, l1, sizeof(l1), 0, &rc);
	cr_assert_str_eq(t, "Café");
	free(t);
	t = dec(1, l1, sizeof(l1), 0, &rc);
	cr_assert_eq(rc, -1, "IA5 is 7-bit");
	free(t);
	/* "Пр" + U+1F44B (surrogates D83D DC4B) */
	uint8_t u[] = {0x04, 0x1F, 0x04, 0x40, 0xD8, 0x3D, 0xDC, 0x4B};
	t = dec(8, u, sizeof(u), 0, &rc);
	cr_assert_eq(rc, 0);
	cr_assert_str_eq(t, "Пр\xF0\x9F\x91\x8B");
	free(t);
	uint8_t lone[] = {0xD8, 0x3D, 0x00, 0x41};
	t = dec(8, lone, sizeof(lone), 0, &rc);
	cr_assert_str_eq(t, "\xEF\xBF\xBD" "A");
	free(t);
	t = dec(8, u, 3, 0, &rc);
	cr_assert_eq(rc, -1, "odd UCS-2 length");
	free(t);
	t = dec(4, u, 2, 0, &rc);
	cr_assert_eq(rc, -2, "binary is not text");
	free(t);
}

/* The encoder is the decoder's inverse: GSM 03.38 unpacked when it can, UCS-2 otherwise. */
Test(smpp_text, encode_round_trip)
{
	const char *texts[] = {"@£$ [€] Ä {x}", "Привет 👋", "", "ab\ncd"};
	const int codings[] = {0, 8, 0, 0};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct buf b = BUF_INIT;
		int dc = smpp_text_encode(texts[i], &b);
		cr_assert_eq(dc, codings[i], "%s", texts[i]);
		int rc;
		char *t = dec((uint8_t)dc, (const uint8_t *)b.data, b.len, 0, &rc);
		cr_assert_eq(rc, 0);
		cr_assert_str_eq(t, texts[i]);
		free(t);
		buf_free(&b);
	}
	struct buf b = BUF_INIT;
	smpp_text_encode("[€]", &b);
	cr_assert_eq(b.len, 6, "each extension character is two septets");
	buf_free(&b);
	smpp_text_encode("Пр\xF0\x9F\x91\x8B", &b);
	cr_assert_eq(b.len, 8, "a surrogate pair is 4 octets");
	buf_free(&b);
}

Test(smpp_text, udh)
{
	struct smpp_udh u;
	uint8_t a[] = {5, 0x00, 3, 0x42, 3, 2, 'x'};
	cr_assert_eq(smpp_udh_parse(a, sizeof(a), &u), 0);
	cr_assert_eq(u.len, 6);
	cr_assert(u.concat);
	cr_assert_eq(u.ref, 0x42);
	cr_assert_eq(u.total, 3);
	cr_assert_eq(u.seq, 2);
	uint8_t b[] = {6, 0x08, 4, 0x12, 0x34, 2, 1};
	cr_assert_eq(smpp_udh_parse(b, sizeof(b), &u), 0);
	cr_assert_eq(u.ref, 0x1234);
	uint8_t c[] = {5, 0x00, 3, 1, 2, 3};           /* seq 3 of 2 */
	cr_assert_eq(smpp_udh_parse(c, sizeof(c), &u), -1);
	uint8_t d[] = {9, 0x00, 3, 1, 2, 1};           /* header longer than the data */
	cr_assert_eq(smpp_udh_parse(d, sizeof(d), &u), -1);
	uint8_t e[] = {3, 0x24, 1, 1};                 /* other elements are skipped */
	cr_assert_eq(smpp_udh_parse(e, sizeof(e), &u), 0);
	cr_assert(!u.concat);
}

Test(smpp_text, times)
{
	int64_t e;
	cr_assert_eq(smpp_time_parse("", 1000, &e), 0);
	cr_assert_eq(smpp_time_parse("000001020304000R", 1000, &e), 1);
	cr_assert_eq(e, 1000 + 86400 + 2 * 3600 + 3 * 60 + 4);
	cr_assert_eq(smpp_time_parse("261123100000000+", 0, &e), 1);
	cr_assert_eq(e, 1795428000);                    /* 2026-11-23 10:00:00 UTC */
	cr_assert_eq(smpp_time_parse("261123130000012+", 0, &e), 1);
	cr_assert_eq(e, 1795428000, "+12 quarter hours is UTC+3");
	cr_assert_eq(smpp_time_parse("260231100000000+", 0, &e), -1);
	cr_assert_eq(smpp_time_parse("2611231000000+", 0, &e), -1);
	cr_assert_eq(smpp_time_parse("261123100000000X", 0, &e), -1);
}

Test(smpp_receipt, body)
{
	struct smpp_receipt rc = {.message_id = 77, .status = MSG_EXPIRED};
	strcpy(rc.source_addr, "Shop");
	strcpy(rc.phone, "79161234567");
	strcpy(rc.submit_date, "2611231000");
	strcpy(rc.done_date, "2611241000");
	strcpy(rc.text, "Привет {x} hello world, longer than twenty");
	struct smpp_pdu p;
	char body[256];
	smpp_receipt_pdu(&rc, &p, body, sizeof(body));
	cr_assert_str_eq(body, "id:77 sub:001 dlvrd:000 submit date:2611231000 done date:2611241000"
			       " stat:EXPIRED err:001 text:?????? ?x? hello wor");
	cr_assert_eq(p.command_id, SMPP_DELIVER_SM);
	cr_assert_eq(p.esm_class, 0x04);
	cr_assert_str_eq(p.destination_addr, "Shop");
	cr_assert_str_eq(p.receipted_id, "77");
	cr_assert_eq(p.tlv_state, SMPP_STATE_EXPIRED);
	struct buf b = enc(&p);
	struct smpp_pdu q;
	cr_assert_eq(smpp_decode((uint8_t *)b.data, b.len, &q), ESME_ROK);
	cr_assert(q.has_receipted_id && q.has_state);
	cr_assert_str_eq(q.receipted_id, "77");
	buf_free(&b);
}

/* SMPP 3.4 passwords are 1..8 characters; longer ones (up to 64) are allowed too. */
static int password_ok(const char *pw)
{
	struct smpp_account_in in = {"esme1", pw, SMPP_TPS_DEFAULT, NULL};
	struct verr v = VERR_INIT;
	int rc = smpp_account_validate(&in, 1, &v);
	verr_free(&v);
	return rc == 0;
}

Test(smpp_account, password_lengths)
{
	cr_assert(password_ok("a"));
	cr_assert(password_ok("pw1"));
	cr_assert(password_ok("12345678"));
	cr_assert(password_ok("0123456789012345678901234567890123456789012345678901234567890123"));
	cr_assert_not(password_ok(""));
	cr_assert_not(password_ok("01234567890123456789012345678901234567890123456789012345678901234"));
	cr_assert_not(password_ok("has space"));
}

/* A NUL inside the text would cut it short: refused; NULs at the end are padding. */
Test(smpp_text, nul)
{
	struct buf b = BUF_INIT;
	cr_assert_eq(smpp_text_decode(3, (const uint8_t *)"ab\0cd", 5, 0, &b), -1);
	buf_free(&b);
	cr_assert_eq(smpp_text_decode(1, (const uint8_t *)"ab\0cd", 5, 0, &b), -1);
	buf_free(&b);
	cr_assert_eq(smpp_text_decode(8, (const uint8_t *)"\0A\0\0\0B", 6, 0, &b), -1);
	buf_free(&b);
	cr_assert_eq(smpp_text_decode(3, (const uint8_t *)"pad\0\0", 5, 0, &b), 0);
	cr_assert_str_eq(b.data, "pad");
	cr_assert_eq(b.len, 3);
	buf_free(&b);
	cr_assert_eq(smpp_text_decode(8, (const uint8_t *)"\0A\0\0", 4, 0, &b), 0);
	cr_assert_str_eq(b.data, "A");
	buf_free(&b);
}
