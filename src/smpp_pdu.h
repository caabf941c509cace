/* smpp_pdu.h — SMPP 3.4 PDU codec for the PDUs herald speaks. No I/O, no global state, no
 * allocation while decoding (octet fields point into the caller's buffer): safe to fuzz and to
 * call from any thread. */
#ifndef HERALD_SMPP_PDU_H
#define HERALD_SMPP_PDU_H
#include <stddef.h>
#include <stdint.h>
#include "buf.h"

#define SMPP_HEADER_LEN 16
#define SMPP_PDU_MAX 65536          /* largest command_length accepted */

#define SMPP_RESP 0x80000000u
enum smpp_cmd {
	SMPP_GENERIC_NACK = 0x80000000u,
	SMPP_BIND_RECEIVER = 0x00000001u,
	SMPP_BIND_TRANSMITTER = 0x00000002u,
	SMPP_QUERY_SM = 0x00000003u,
	SMPP_SUBMIT_SM = 0x00000004u,
	SMPP_DELIVER_SM = 0x00000005u,
	SMPP_UNBIND = 0x00000006u,
	SMPP_BIND_TRANSCEIVER = 0x00000009u,
	SMPP_ENQUIRE_LINK = 0x00000015u,
};

enum smpp_status {
	ESME_ROK = 0x00,
	ESME_RINVMSGLEN = 0x01,
	ESME_RINVCMDLEN = 0x02,
	ESME_RINVCMDID = 0x03,
	ESME_RINVBNDSTS = 0x04,
	ESME_RALYBND = 0x05,
	ESME_RSYSERR = 0x08,
	ESME_RINVSRCADR = 0x0A,
	ESME_RINVDSTADR = 0x0B,
	ESME_RINVMSGID = 0x0C,
	ESME_RBINDFAIL = 0x0D,
	ESME_RINVPASWD = 0x0E,
	ESME_RINVSYSID = 0x0F,
	ESME_RMSGQFUL = 0x14,
	ESME_RINVESMCLASS = 0x43,
	ESME_RSUBMITFAIL = 0x45,
	ESME_RINVSERTYP = 0x15,
	ESME_RTHROTTLED = 0x58,
	ESME_RINVSCHED = 0x61,
	ESME_RINVEXPIRY = 0x62,
	ESME_RQUERYFAIL = 0x67,
	ESME_RINVOPTPARSTREAM = 0xC0,
	ESME_RINVPARLEN = 0xC2,
	ESME_RINVOPTPARAMVAL = 0xC4,
	ESME_RINVDCS = 0x104,       /* SMPP 5.0; 3.4 peers read it as an unknown error */
};

enum smpp_tlv {
	TLV_SC_INTERFACE_VERSION = 0x0210,
	TLV_MESSAGE_PAYLOAD = 0x0424,
	TLV_SAR_MSG_REF_NUM = 0x020C,
	TLV_SAR_TOTAL_SEGMENTS = 0x020E,
	TLV_SAR_SEGMENT_SEQNUM = 0x020F,
	TLV_RECEIPTED_MESSAGE_ID = 0x001E,
	TLV_MESSAGE_STATE = 0x0427,
};

/* message_state values (query_sm_resp, receipts). */
enum smpp_state {
	SMPP_STATE_ENROUTE = 1, SMPP_STATE_DELIVERED = 2, SMPP_STATE_EXPIRED = 3,
	SMPP_STATE_DELETED = 4, SMPP_STATE_UNDELIVERABLE = 5, SMPP_STATE_ACCEPTED = 6,
	SMPP_STATE_UNKNOWN = 7, SMPP_STATE_REJECTED = 8,
};

/* The "stat:" word of a receipt's text for a message_state (SMPP 3.4 appendix B: DELIVRD,
 * UNDELIV, ...); "" for a value outside the table. */
const char *smpp_state_stat(int state);

/* One PDU of any supported kind; only the fields of its command are meaningful. String sizes
 * are the SMPP 3.4 maxima including the NUL, except password (64, lenient: 3.4 says 9). */
struct smpp_pdu {
	uint32_t command_id, status, seq;
	/* bind_* */
	char system_id[17], password[65], system_type[14], address_range[42];
	uint8_t interface_version, addr_ton, addr_npi;
	/* submit_sm, deliver_sm, query_sm */
	char service_type[7], source_addr[22], destination_addr[22], schedule[18], validity[18];
	uint8_t src_ton, src_npi, dst_ton, dst_npi, esm_class, protocol_id, priority;
	uint8_t registered_delivery, replace, data_coding, default_msg_id;
	const uint8_t *sm;          /* short_message: points into the decoded buffer */
	size_t sm_len;
	/* *_resp message_id, query_sm message_id, query_sm_resp */
	char message_id[66], final_date[18];
	uint8_t message_state, error_code;
	/* TLVs; has_* tell whether they were present */
	const uint8_t *payload;     /* message_payload: points into the decoded buffer */
	size_t payload_len;
	char receipted_id[66];
	uint16_t sar_ref;
	uint8_t sar_total, sar_seq, tlv_state, sc_version;
	unsigned has_payload : 1, has_sar : 1, has_receipted_id : 1, has_state : 1, has_sc_version : 1;
};

/* Reads the 16-byte header of p (at least SMPP_HEADER_LEN bytes). */
void smpp_header(const uint8_t *p, uint32_t *length, uint32_t *command_id, uint32_t *status,
		 uint32_t *seq);

/* Frames the stream of n bytes at p: 1 when a whole PDU starts it (its command_length in *len),
 * 0 when more bytes are needed, -1 when its command_length is outside [SMPP_HEADER_LEN, max]
 * (the stream cannot be framed any more; *len and *seq are the header's, for the nack). */
int smpp_frame(const uint8_t *p, size_t n, size_t max, uint32_t *len, uint32_t *seq);

/* Decodes one whole PDU (len == its command_length) into out (zeroed first). Returns ESME_ROK,
 * or the status to answer with: ESME_RINVCMDLEN (length or structure wrong), ESME_RINVCMDID
 * (a command this codec does not know), or a field-specific status. On failure out->command_id
 * and out->seq are still set when the header was readable. */
uint32_t smpp_decode(const uint8_t *p, size_t len, struct smpp_pdu *out);

/* Appends the encoding of p to out. Returns 0, or -1 when the command is unknown or a field
 * does not fit (out unchanged then). */
int smpp_encode(const struct smpp_pdu *p, struct buf *out);

/* Name of a command for logs ("submit_sm", ...; "unknown"). */
const char *smpp_cmd_name(uint32_t command_id);

#endif
