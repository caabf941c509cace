/* cli_demo.c — `herald demo`: fills a database with demo data. It adds Russia's mobile
 * operators (their DEF codes and names) and a few tags. It adds 10,000 clients spread over
 * the operators, the tags and Russia's time zones, each with a first name among its
 * attributes. Last, it adds a template that greets each client by name, and a mailing of it to
 * all of those clients that starts now. Each set is one statement, whatever its size. The demo phone
 * numbers have the form of real numbers, so the command refuses to run while the provider
 * could be a real one. */
#include "cli.h"
#include "config.h"
#include "model_mailing.h"
#include "net.h"
#include "pgarr.h"
#include "util.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEMO_CLIENTS "10000"
#define DEMO_HOURS 24

/* The DEF codes (7 9XX ...) of the mobile operators, as numbering plans assign them. */
static const struct {
	int from, to;
	const char *name;
} operators[] = {
	{900, 902, "Tele2"}, {903, 903, "Билайн"}, {904, 904, "Tele2"}, {905, 906, "Билайн"},
	{908, 908, "Tele2"}, {909, 909, "Билайн"}, {910, 919, "МТС"}, {920, 939, "МегаФон"},
	{950, 953, "Tele2"}, {958, 958, "Tele2"}, {960, 969, "Билайн"}, {977, 977, "Tele2"},
	{980, 989, "МТС"}, {991, 996, "Tele2"}, {999, 999, "Yota"},
};

static const char *const tags[] = {"vip", "loyal", "new", "b2b"};

static const char *const zones[] = {
	"Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara",
	"Asia/Yekaterinburg", "Asia/Omsk", "Asia/Novosibirsk", "Asia/Krasnoyarsk", "Asia/Irkutsk",
	"Asia/Yakutsk", "Asia/Vladivostok", "Asia/Magadan", "Asia/Kamchatka",
};

#define DEMO_TEMPLATE "Скидка недели"
static const char demo_text[] =
    "Здравствуйте{{#attributes.name}}, {{attributes.name}}{{/attributes.name}}! Это демонстрационная "
    "рассылка herald: скидка 10% по промокоду DEMO до конца недели.";

/* The template's id; a second run keeps the template it made and updates its text. */
static const char q_template[] =
    "INSERT INTO templates (name, text) VALUES ($1, $2)"
    " ON CONFLICT (name) DO UPDATE SET text = excluded.text, updated_at = now() RETURNING id";

/* Upserts the operators; a name given in the directory already is kept. */
static const char q_operators[] =
    "INSERT INTO operators (code, name)"
    " SELECT code, name FROM unnest($1::text[], $2::text[]) AS o(code, name)"
    " ON CONFLICT (code) DO UPDATE SET name = excluded.name, updated_at = now()"
    " WHERE operators.name = ''";

static const char q_tags[] =
    "INSERT INTO tags (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING";

/* Client g (0-based) gets operator g mod the number of operators, so the clients of one
 * operator have distinct g / n. Their subscriber numbers (g / n) * 1000003 mod 10^7 are then
 * distinct, because 1000003 is prime to 10^7. The same phones come out on every run, and a
 * second run adds none. */
static const char q_clients[] =
    "WITH o AS (SELECT code, i FROM unnest($1::text[]) WITH ORDINALITY AS o(code, i)),"
    " t AS (SELECT tags.id, x.i FROM unnest($2::text[]) WITH ORDINALITY AS x(name, i)"
    "       JOIN tags ON tags.name = x.name),"
    " z AS (SELECT zone, i FROM unnest($3::text[]) WITH ORDINALITY AS z(zone, i))"
    " INSERT INTO clients (phone, operator_code, tag_id, timezone, attributes)"
    " SELECT '7' || o.code || lpad((((g / cardinality($1::text[]))::bigint * 1000003 + 4242)"
    "        % 10000000)::text, 7, '0'), o.code, t.id, z.zone,"
    "        jsonb_build_object('name', (ARRAY['Анна', 'Иван', 'Мария', 'Пётр', 'Ольга', 'Дмитрий',"
    "                                          'Елена', 'Сергей', 'Наталья', 'Алексей'])[1 + g % 10])"
    " FROM generate_series(0, $4::int - 1) g"
    " JOIN o ON o.i = 1 + g % cardinality($1::text[])"
    " JOIN t ON t.i = 1 + (g / cardinality($1::text[])) % cardinality($2::text[])"
    " JOIN z ON z.i = 1 + (g / 7) % cardinality($3::text[])"
    " ON CONFLICT (phone) DO NOTHING";

static const char q_recipients[] =
    "SELECT count(*) FROM clients c JOIN tags t ON t.id = c.tag_id WHERE t.name = ANY ($1::text[])";

/* 1 when the configured provider is the log provider or listens on this machine (fakeprobe). */
static int provider_local(void)
{
	if (*cfg.provider_url == '\0')
		return 1;
	CURLU *u = curl_url();
	char *host = NULL;
	int local = 0;
	if (u && curl_url_set(u, CURLUPART_URL, cfg.provider_url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		char ip[NET_ADDR_LEN];
		size_t n = strlen(host);
		snprintf(ip, sizeof(ip), "%.*s", host[0] == '[' && n > 2 ? (int)n - 2 : (int)n,
			 host[0] == '[' ? host + 1 : host);
		local = strcmp(ip, "localhost") == 0 || net_is_loopback(ip);
	}
	curl_free(host);
	curl_url_cleanup(u);
	return local;
}

static void utc_text(time_t t, char out[32])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Runs q with params; the number of rows it changed, or -1 (the reason printed). */
static long long seed(const struct cli_args *a, struct db *db, const char *what, const char *q,
		      int n, const char *const *params)
{
	PGresult *r = db_exec(db, q, n, params);
	if (r == NULL) {
		cli_fail(a, "%s: %s", what, db->err);
		return -1;
	}
	long long changed = atoll(PQcmdTuples(r));
	PQclear(r);
	return changed;
}

int cli_demo(const struct cli_args *a)
{
	if (!provider_local())
		return cli_fail(a, "the provider %s is not on this machine: the demo's phone numbers look real, so it "
				"runs only with the log provider or a local fakeprobe", cfg.provider_url);
	struct buf codes = BUF_INIT, names = BUF_INIT, tag_list = BUF_INIT, zone_list = BUF_INIT;
	pgarr_start(&codes);
	pgarr_start(&names);
	int nops = 0;
	for (size_t i = 0; i < ARRAY_LEN(operators); i++)
		for (int code = operators[i].from; code <= operators[i].to; code++, nops++) {
			char s[8];
			snprintf(s, sizeof(s), "%d", code);
			pgarr_text(&codes, s);
			pgarr_text(&names, operators[i].name);
		}
	pgarr_start(&tag_list);
	for (size_t i = 0; i < ARRAY_LEN(tags); i++)
		pgarr_text(&tag_list, tags[i]);
	pgarr_start(&zone_list);
	for (size_t i = 0; i < ARRAY_LEN(zones); i++)
		pgarr_text(&zone_list, zones[i]);
	pgarr_end(&codes);
	pgarr_end(&names);
	pgarr_end(&tag_list);
	pgarr_end(&zone_list);

	struct db *db = cli_db();
	int rc = 1;
	const char *p_ops[] = {codes.data, names.data};
	const char *p_tags[] = {tag_list.data};
	const char *p_clients[] = {codes.data, tag_list.data, zone_list.data, DEMO_CLIENTS};
	long long added;
	if (seed(a, db, "operators", q_operators, 2, p_ops) < 0 || seed(a, db, "tags", q_tags, 1, p_tags) < 0 ||
	    (added = seed(a, db, "clients", q_clients, 4, p_clients)) < 0)
		goto out;

	char start[32], end[32];
	time_t now = time(NULL);
	utc_text(now, start);
	utc_text(now + DEMO_HOURS * 3600, end);
	char any_operator[] = "{}";
	const char *p_template[] = {DEMO_TEMPLATE, demo_text};
	PGresult *t = db_exec(db, q_template, 2, p_template);
	if (t == NULL) {
		cli_fail(a, "template: %s", db->err);
		goto out;
	}
	struct mailing_in in = {.start_at = start, .end_at = end, .template_id = db_i64(t, 0, 0),
				.operator_codes = any_operator, .tags = tag_list.data};
	snprintf(in.template_text, sizeof(in.template_text), "%s", db_str(t, 0, 0));
	PQclear(t);
	json_t *m = NULL;
	const char *why;
	PGresult *n = mailing_insert(db, &in, 0, &m, &why) == MODEL_OK ? db_exec(db, q_recipients, 1, p_tags) : NULL;
	long long id = (long long)json_integer_value(json_object_get(m, "id"));
	if (n) {
		fprintf(stderr, "demo: %d operators, %zu tags, %lld new clients (of " DEMO_CLIENTS ") in %zu time zones,"
			" template \"" DEMO_TEMPLATE "\"; mailing %lld to %lld clients starts now\n", nops, ARRAY_LEN(tags), added,
			ARRAY_LEN(zones), id, (long long)db_i64(n, 0, 0));
		printf("%lld\n", id);
		rc = 0;
	} else {
		cli_fail(a, "mailing: %s", db->err);
	}
	json_decref(m);
	PQclear(n);
out:
	buf_free(&codes);
	buf_free(&names);
	buf_free(&tag_list);
	buf_free(&zone_list);
	return cli_done(db, rc);
}
