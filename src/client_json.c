/* client_json.c — a client row written as the API's JSON without a JSON value per row
 * (model_client.h: client_time, client_put_json). */
#include "model_client.h"
#include "buf.h"

#include <string.h>

#define TIME_QUOTED "\"0000-00-00T00:00:00Z\""

/* "YYYY-MM-DDTHH:MM:SSZ" in quotes for epoch seconds t (the text api_ts() makes in SQL) into
 * out, with the civil-from-days algorithm (H. Hinnant): strftime/gmtime cost more than the
 * rest of the row. */
static void time_text(int64_t t, char out[sizeof(TIME_QUOTED)])
{
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400, sec = t - days * 86400;
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);
	static const int at[7] = {1, 3, 6, 9, 12, 15, 18};   /* where each 2-digit part goes */
	const int64_t parts[7] = {y / 100, y % 100, m, d, sec / 3600, sec / 60 % 60, sec % 60};
	memcpy(out, TIME_QUOTED, sizeof(TIME_QUOTED));
	for (int i = 0; i < 7; i++) {
		out[at[i]] = (char)('0' + parts[i] / 10 % 10);
		out[at[i] + 1] = (char)('0' + parts[i] % 10);
	}
}

void client_time(struct buf *b, int64_t t, int quoted)
{
	char out[sizeof(TIME_QUOTED)];
	time_text(t, out);
	if (quoted)
		buf_append(b, out, sizeof(out) - 1);
	else
		buf_append(b, out + 1, sizeof(out) - 3);
}

/* Appends a string literal without measuring it. */
#define PUT_LIT(b, lit) buf_append((b), (lit), sizeof(lit) - 1)

/* Appends s as a JSON string whose text needs no escaping (digits: phone and operator_code,
 * which CHECK constraints hold to digits). */
static void put_digits(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	buf_puts(b, s);
	buf_putc(b, '"');
}

/* Appends n >= 0 in decimal (printf costs more than the rest of the id). */
static void put_id(struct buf *b, int64_t n)
{
	char d[24];
	size_t i = sizeof(d);
	do
		d[--i] = (char)('0' + n % 10);
	while ((n /= 10) > 0);
	buf_append(b, d + i, sizeof(d) - i);
}

void client_put_json(void *arg, const struct client_row *c)
{
	struct buf *b = arg;
	if (b->data[b->len - 1] != '[')
		buf_putc(b, ',');
	PUT_LIT(b, "{\"id\":");
	put_id(b, c->id);
	PUT_LIT(b, ",\"phone\":");
	put_digits(b, c->phone);
	PUT_LIT(b, ",\"operator_code\":");
	put_digits(b, c->operator_code);
	PUT_LIT(b, ",\"tag\":");
	if (c->tag == NULL)
		PUT_LIT(b, "null");
	else
		buf_json_str(b, c->tag);
	PUT_LIT(b, ",\"timezone\":");
	buf_json_str(b, c->timezone);
	PUT_LIT(b, ",\"created_at\":");
	client_time(b, c->created_at, 1);
	PUT_LIT(b, ",\"updated_at\":");
	client_time(b, c->updated_at, 1);
	PUT_LIT(b, ",\"attributes\":");
	buf_puts(b, c->attributes);   /* jsonb's text is JSON */
	buf_putc(b, '}');
}
