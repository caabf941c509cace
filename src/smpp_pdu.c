/* smpp_pdu.c — SMPP 3.4 PDU decoder and encoder (see smpp_pdu.h). */
#include "smpp_pdu.h"
#include "util.h"

#include <string.h>

struct rd {
	const uint8_t *p;
	size_t len, off;
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void smpp_header(const uint8_t *p, uint32_t *length, uint32_t *command_id, uint32_t *status,
		 uint32_t *seq)
{
	*length = be32(p);
	*command_id = be32(p + 4);
	*status = be32(p + 8);
	*seq = be32(p + 12);
}

const char *smpp_state_stat(int state)
{
	static const char *const stats[] = {"", "ENROUTE", "DELIVRD", "EXPIRED", "DELETED", "UNDELIV", "ACCEPTD",
					    "UNKNOWN", "REJECTD"};
	return state >= 0 && state < (int)ARRAY_LEN(stats) ? stats[state] : "";
}

int smpp_frame(const uint8_t *p, size_t n, size_t max, uint32_t *len, uint32_t *seq)
{
	uint32_t cmd, status;
	if (n < SMPP_HEADER_LEN)
		return 0;
	smpp_header(p, len, &cmd, &status, seq);
	if (*len < SMPP_HEADER_LEN || *len > max)
		return -1;
	return n >= *len;
}

/* Reads a C-octet string of at most max bytes including the NUL. 0; -1 when no NUL is left in
 * the PDU (structure broken); -2 when the string is longer than max. */
static int get_cstr(struct rd *r, char *out, size_t max)
{
	const uint8_t *nul = memchr(r->p + r->off, 0, r->len - r->off);
	if (nul == NULL)
		return -1;
	size_t n = (size_t)(nul - (r->p + r->off));
	if (n + 1 > max)
		return -2;
	memcpy(out, r->p + r->off, n);
	out[n] = '\0';
	r->off += n + 1;
	return 0;
}

static int get_u8(struct rd *r, uint8_t *v)
{
	if (r->off >= r->len)
		return -1;
	*v = r->p[r->off++];
	return 0;
}

/* Maps a get_cstr failure to the status: structure broken, else the field's own status. */
static uint32_t cstr_status(int rc, uint32_t field_status)
{
	return rc == -1 ? ESME_RINVCMDLEN : field_status;
}

#define CSTR(r, field, st) do { int rc_ = get_cstr((r), (field), sizeof(field)); \
	if (rc_ < 0) return cstr_status(rc_, (st)); } while (0)
#define U8(r, field) do { if (get_u8((r), &(field)) < 0) return ESME_RINVCMDLEN; } while (0)
/* An SMPP address: its type of number, numbering plan and digits (st when they are bad). */
#define ADDR(r, ton, npi, addr, st) do { U8(r, ton); U8(r, npi); CSTR(r, addr, st); } while (0)

/* The length a fixed-size optional parameter that herald reads must have; 0 for the others. */
static uint16_t tlv_size(uint16_t tag)
{
	switch (tag) {
	case TLV_SAR_MSG_REF_NUM:
		return 2;
	case TLV_SAR_TOTAL_SEGMENTS:
	case TLV_SAR_SEGMENT_SEQNUM:
	case TLV_MESSAGE_STATE:
	case TLV_SC_INTERFACE_VERSION:
		return 1;
	default:
		return 0;
	}
}

static uint32_t decode_tlvs(struct rd *r, struct smpp_pdu *out)
{
	while (r->off < r->len) {
		if (r->len - r->off < 4)
			return ESME_RINVOPTPARSTREAM;
		const uint8_t *t = r->p + r->off;
		uint16_t tag = (uint16_t)(t[0] << 8 | t[1]), n = (uint16_t)(t[2] << 8 | t[3]);
		r->off += 4;
		if (n > r->len - r->off)
			return ESME_RINVOPTPARSTREAM;
		const uint8_t *v = r->p + r->off;
		r->off += n;
		if (tlv_size(tag) && n != tlv_size(tag))
			return ESME_RINVPARLEN;
		switch (tag) {
		case TLV_MESSAGE_PAYLOAD:
			out->payload = v;
			out->payload_len = n;
			out->has_payload = 1;
			break;
		case TLV_SAR_MSG_REF_NUM:
			out->sar_ref = (uint16_t)(v[0] << 8 | v[1]);
			out->has_sar |= 1;
			break;
		case TLV_SAR_TOTAL_SEGMENTS:
			out->sar_total = v[0];
			break;
		case TLV_SAR_SEGMENT_SEQNUM:
			out->sar_seq = v[0];
			break;
		case TLV_RECEIPTED_MESSAGE_ID:
			if (n == 0 || n > sizeof(out->receipted_id) || memchr(v, 0, n) != v + n - 1)
				return ESME_RINVPARLEN;
			memcpy(out->receipted_id, v, n);
			out->has_receipted_id = 1;
			break;
		case TLV_MESSAGE_STATE:
			out->tlv_state = v[0];
			out->has_state = 1;
			break;
		case TLV_SC_INTERFACE_VERSION:
			out->sc_version = v[0];
			out->has_sc_version = 1;
			break;
		default:
			break;      /* unknown optional parameters are skipped, as 3.4 asks */
		}
	}
	/* sar_* come as a set: all three or none */
	if (out->has_sar && (out->sar_total == 0 || out->sar_seq == 0))
		return ESME_RINVOPTPARAMVAL;
	if (!out->has_sar && (out->sar_total || out->sar_seq))
		return ESME_RINVOPTPARAMVAL;
	return ESME_ROK;
}

static uint32_t decode_bind(struct rd *r, struct smpp_pdu *out)
{
	CSTR(r, out->system_id, ESME_RINVSYSID);
	CSTR(r, out->password, ESME_RINVPASWD);
	CSTR(r, out->system_type, ESME_RBINDFAIL);
	U8(r, out->interface_version);
	ADDR(r, out->addr_ton, out->addr_npi, out->address_range, ESME_RBINDFAIL);
	return r->off == r->len ? ESME_ROK : ESME_RINVCMDLEN;
}

static uint32_t decode_sm(struct rd *r, struct smpp_pdu *out)
{
	uint8_t sm_len;
	CSTR(r, out->service_type, ESME_RINVSERTYP);
	ADDR(r, out->src_ton, out->src_npi, out->source_addr, ESME_RINVSRCADR);
	ADDR(r, out->dst_ton, out->dst_npi, out->destination_addr, ESME_RINVDSTADR);
	U8(r, out->esm_class);
	U8(r, out->protocol_id);
	U8(r, out->priority);
	CSTR(r, out->schedule, ESME_RINVSCHED);
	CSTR(r, out->validity, ESME_RINVEXPIRY);
	U8(r, out->registered_delivery);
	U8(r, out->replace);
	U8(r, out->data_coding);
	U8(r, out->default_msg_id);
	U8(r, sm_len);
	if (sm_len > r->len - r->off)
		return ESME_RINVCMDLEN;
	out->sm = r->p + r->off;
	out->sm_len = sm_len;
	r->off += sm_len;
	return decode_tlvs(r, out);
}

uint32_t smpp_decode(const uint8_t *p, size_t len, struct smpp_pdu *out)
{
	memset(out, 0, sizeof(*out));
	if (len < SMPP_HEADER_LEN)
		return ESME_RINVCMDLEN;
	uint32_t length;
	smpp_header(p, &length, &out->command_id, &out->status, &out->seq);
	if (length != len || length > SMPP_PDU_MAX)
		return ESME_RINVCMDLEN;
	struct rd r = {p, len, SMPP_HEADER_LEN};
	int empty = len == SMPP_HEADER_LEN;
	switch (out->command_id) {
	case SMPP_BIND_RECEIVER:
	case SMPP_BIND_TRANSMITTER:
	case SMPP_BIND_TRANSCEIVER:
		return decode_bind(&r, out);
	case SMPP_BIND_RECEIVER | SMPP_RESP:
	case SMPP_BIND_TRANSMITTER | SMPP_RESP:
	case SMPP_BIND_TRANSCEIVER | SMPP_RESP:
		if (empty && out->status != ESME_ROK)
			return ESME_ROK;
		CSTR(&r, out->system_id, ESME_RINVCMDLEN);
		return decode_tlvs(&r, out);
	case SMPP_SUBMIT_SM:
	case SMPP_DELIVER_SM:
		return decode_sm(&r, out);
	case SMPP_SUBMIT_SM | SMPP_RESP:
	case SMPP_DELIVER_SM | SMPP_RESP:
		if (empty)      /* error responses, and some ESMEs' deliver_sm_resp, carry no body */
			return ESME_ROK;
		CSTR(&r, out->message_id, ESME_RINVMSGID);
		return r.off == r.len ? ESME_ROK : ESME_RINVCMDLEN;
	case SMPP_QUERY_SM:
		CSTR(&r, out->message_id, ESME_RINVMSGID);
		ADDR(&r, out->src_ton, out->src_npi, out->source_addr, ESME_RINVSRCADR);
		return r.off == r.len ? ESME_ROK : ESME_RINVCMDLEN;
	case SMPP_QUERY_SM | SMPP_RESP:
		if (empty && out->status != ESME_ROK)
			return ESME_ROK;
		CSTR(&r, out->message_id, ESME_RINVMSGID);
		CSTR(&r, out->final_date, ESME_RINVCMDLEN);
		U8(&r, out->message_state);
		U8(&r, out->error_code);
		return r.off == r.len ? ESME_ROK : ESME_RINVCMDLEN;
	case SMPP_ENQUIRE_LINK:
	case SMPP_ENQUIRE_LINK | SMPP_RESP:
	case SMPP_UNBIND:
	case SMPP_UNBIND | SMPP_RESP:
	case SMPP_GENERIC_NACK:
		return empty ? ESME_ROK : ESME_RINVCMDLEN;
	default:
		return ESME_RINVCMDID;
	}
}

static void put32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	buf_append(b, x, 4);
}

static void put8(struct buf *b, uint8_t v)
{
	buf_append(b, &v, 1);
}

/* Appends s with its NUL; -1 when it needs more than max bytes. */
static int put_cstr(struct buf *b, const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	if (n + 1 > max)
		return -1;
	buf_append(b, s, n + 1);
	return 0;
}

static void put_tlv(struct buf *b, uint16_t tag, const void *v, uint16_t n)
{
	uint8_t h[4] = {(uint8_t)(tag >> 8), (uint8_t)tag, (uint8_t)(n >> 8), (uint8_t)n};
	buf_append(b, h, 4);
	buf_append(b, v, n);
}

#define PUTS(b, field) do { if (put_cstr((b), (field), sizeof(field)) < 0) return -1; } while (0)
#define PUT_ADDR(b, ton, npi, addr) do { put8(b, ton); put8(b, npi); PUTS(b, addr); } while (0)

static int encode_tlvs(const struct smpp_pdu *p, struct buf *b)
{
	if (p->has_payload) {
		if (p->payload_len > 0xFFFF)
			return -1;
		put_tlv(b, TLV_MESSAGE_PAYLOAD, p->payload, (uint16_t)p->payload_len);
	}
	if (p->has_sar) {
		uint8_t ref[2] = {(uint8_t)(p->sar_ref >> 8), (uint8_t)p->sar_ref};
		put_tlv(b, TLV_SAR_MSG_REF_NUM, ref, 2);
		put_tlv(b, TLV_SAR_TOTAL_SEGMENTS, &p->sar_total, 1);
		put_tlv(b, TLV_SAR_SEGMENT_SEQNUM, &p->sar_seq, 1);
	}
	if (p->has_receipted_id) {
		size_t n = strnlen(p->receipted_id, sizeof(p->receipted_id));
		if (n + 1 > sizeof(p->receipted_id))
			return -1;
		put_tlv(b, TLV_RECEIPTED_MESSAGE_ID, p->receipted_id, (uint16_t)(n + 1));
	}
	if (p->has_state)
		put_tlv(b, TLV_MESSAGE_STATE, &p->tlv_state, 1);
	if (p->has_sc_version)
		put_tlv(b, TLV_SC_INTERFACE_VERSION, &p->sc_version, 1);
	return 0;
}

static int encode_body(const struct smpp_pdu *p, struct buf *b)
{
	switch (p->command_id) {
	case SMPP_BIND_RECEIVER:
	case SMPP_BIND_TRANSMITTER:
	case SMPP_BIND_TRANSCEIVER:
		PUTS(b, p->system_id);
		PUTS(b, p->password);
		PUTS(b, p->system_type);
		put8(b, p->interface_version);
		PUT_ADDR(b, p->addr_ton, p->addr_npi, p->address_range);
		return 0;
	case SMPP_BIND_RECEIVER | SMPP_RESP:
	case SMPP_BIND_TRANSMITTER | SMPP_RESP:
	case SMPP_BIND_TRANSCEIVER | SMPP_RESP:
		PUTS(b, p->system_id);
		return encode_tlvs(p, b);
	case SMPP_SUBMIT_SM:
	case SMPP_DELIVER_SM:
		if (p->sm_len > 254)
			return -1;
		PUTS(b, p->service_type);
		PUT_ADDR(b, p->src_ton, p->src_npi, p->source_addr);
		PUT_ADDR(b, p->dst_ton, p->dst_npi, p->destination_addr);
		put8(b, p->esm_class);
		put8(b, p->protocol_id);
		put8(b, p->priority);
		PUTS(b, p->schedule);
		PUTS(b, p->validity);
		put8(b, p->registered_delivery);
		put8(b, p->replace);
		put8(b, p->data_coding);
		put8(b, p->default_msg_id);
		put8(b, (uint8_t)p->sm_len);
		buf_append(b, p->sm, p->sm_len);
		return encode_tlvs(p, b);
	case SMPP_SUBMIT_SM | SMPP_RESP:
		if (p->status != ESME_ROK)
			return 0;   /* 3.4: the body is not returned with an error status */
		PUTS(b, p->message_id);
		return 0;
	case SMPP_DELIVER_SM | SMPP_RESP:
		PUTS(b, p->message_id);
		return 0;
	case SMPP_QUERY_SM:
		PUTS(b, p->message_id);
		PUT_ADDR(b, p->src_ton, p->src_npi, p->source_addr);
		return 0;
	case SMPP_QUERY_SM | SMPP_RESP:
		if (p->status != ESME_ROK)
			return 0;
		PUTS(b, p->message_id);
		PUTS(b, p->final_date);
		put8(b, p->message_state);
		put8(b, p->error_code);
		return 0;
	case SMPP_ENQUIRE_LINK:
	case SMPP_ENQUIRE_LINK | SMPP_RESP:
	case SMPP_UNBIND:
	case SMPP_UNBIND | SMPP_RESP:
	case SMPP_GENERIC_NACK:
		return 0;
	default:
		return -1;
	}
}

int smpp_encode(const struct smpp_pdu *p, struct buf *out)
{
	size_t start = out->len;
	put32(out, 0);
	put32(out, p->command_id);
	put32(out, p->status);
	put32(out, p->seq);
	if (encode_body(p, out) < 0 || out->len - start > SMPP_PDU_MAX) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
		return -1;
	}
	uint32_t n = (uint32_t)(out->len - start);
	uint8_t *h = (uint8_t *)out->data + start;
	h[0] = (uint8_t)(n >> 24);
	h[1] = (uint8_t)(n >> 16);
	h[2] = (uint8_t)(n >> 8);
	h[3] = (uint8_t)n;
	return 0;
}

const char *smpp_cmd_name(uint32_t id)
{
	static const struct { uint32_t id; const char *name; } names[] = {
		{SMPP_GENERIC_NACK, "generic_nack"}, {SMPP_BIND_RECEIVER, "bind_receiver"},
		{SMPP_BIND_TRANSMITTER, "bind_transmitter"}, {SMPP_QUERY_SM, "query_sm"},
		{SMPP_SUBMIT_SM, "submit_sm"}, {SMPP_DELIVER_SM, "deliver_sm"}, {SMPP_UNBIND, "unbind"},
		{SMPP_BIND_TRANSCEIVER, "bind_transceiver"}, {SMPP_ENQUIRE_LINK, "enquire_link"},
	};
	uint32_t base = id == SMPP_GENERIC_NACK ? id : id & ~SMPP_RESP;   /* a _resp by its request */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].id == base)
			return names[i].name;
	return "unknown";
}
