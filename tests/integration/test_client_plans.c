/* Client lists right after bulk imports (through the API and the admin's CSV import): a filtered
 * page of the API's list and of the admin's list is read from its filter's index, in the
 * generic plan every connection keeps and in a custom plan alike, and the table's statistics
 * are refreshed soon after, outside the request. Plans are checked with EXPLAIN of the very
 * statement text the server prepares (client_list_sql()), never with a time. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "admin_web.h"
#include "itest.h"
#include "model_client.h"

#define IMPORTED 20000
#define ANALYZE_WAIT_S 30

/* POSTs IMPORTED new clients of operator op (code_phone's phones: a block no random test phone
 * falls in) with tag. */
static void import_api(const char *tag, const char *op)
{
	char *body = malloc(IMPORTED * 96 + 2), *w = body;
	*w++ = '[';
	char phone[12];
	for (int i = 0; i < IMPORTED; i++) {
		code_phone(op, i, phone);
		w += sprintf(w, "%s{\"phone\":\"%s\",\"tag\":\"%s\",\"operator_code\":\"%s\"}", i ? "," : "", phone, tag, op);
	}
	*w++ = ']';
	*w = '\0';
	struct resp *r = api_raw(tok_operator(), "POST", "/api/v1/clients/bulk", "application/json", body, strlen(body));
	cr_assert_eq(r->status, 200, "%.300s", r->body);
	cr_assert_eq(jint(r->json, "created") + jint(r->json, "updated"), IMPORTED, "%s", r->body);
	resp_free(r);
	free(body);
}

/* EXPLAIN of the statement sql with args (the values of its parameters as SQL literals) under
 * plan_cache_mode mode; malloc'ed text of the whole plan. */
static char *plan_of(const char *sql, const char *args, const char *mode)
{
	PGconn *db = itest_db();
	PGresult *r = PQprepare(db, "list_plan", sql, 0, NULL);
	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s", PQerrorMessage(db));
	PQclear(r);
	free(itest_sql("SELECT set_config('plan_cache_mode', '%s', false)", mode));
	char q[512];
	snprintf(q, sizeof(q), "EXPLAIN EXECUTE list_plan(%s)", args);
	r = PQexec(db, q);
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(db));
	size_t len = 1;
	for (int i = 0; i < PQntuples(r); i++)
		len += strlen(PQgetvalue(r, i, 0)) + 1;
	char *plan = calloc(1, len);
	for (int i = 0; i < PQntuples(r); i++)
		strcat(strcat(plan, PQgetvalue(r, i, 0)), "\n");
	PQclear(r);
	PQclear(PQexec(db, "DEALLOCATE list_plan"));
	free(itest_sql("SELECT set_config('plan_cache_mode', 'auto', false)"));
	return plan;
}

/* Both plans of sql (generic and custom) read the index named index and not the primary key. */
static void expect_sql_index(const char *sql, const char *args, const char *index)
{
	static const char *const modes[] = {"force_generic_plan", "force_custom_plan"};
	for (size_t i = 0; i < 2; i++) {
		char *plan = plan_of(sql, args, modes[i]);
		cr_expect_not_null(strstr(plan, index), "%s: %s", modes[i], plan);
		cr_expect_null(strstr(plan, "clients_pkey"), "%s: %s", modes[i], plan);
		free(plan);
	}
}

/* The API's list for f (default page, from the start; args the values of $1..$4) reads index. */
static void expect_index(const struct client_filter *f, const char *filters, const char *index)
{
	char args[256];
	snprintf(args, sizeof(args), "%s, 0", filters);
	expect_sql_index(client_list_sql("id", f, 50), args, index);
}

/* The admin's list for f, in both orders by id (the default, newest first, and oldest first),
 * from the first page, reads index. */
static void expect_admin_index(const struct client_filter *f, const char *filters, const char *index)
{
	static const struct { const char *sort, *start; } sorts[] = {{"-id", "9223372036854775807"}, {"id", "0"}};
	char args[256];
	for (size_t i = 0; i < 2; i++) {
		const char *sql = client_list_sql(sorts[i].sort, f, 50);
		snprintf(args, sizeof(args), "%s, '%s'%s", filters, sorts[i].start, strstr(sql, "$6") ? ", 51" : "");
		expect_sql_index(sql, args, index);
	}
}

/* The list of expect (expect_index or expect_admin_index) filtered by tag, then by operator op,
 * reads the filter's index. */
static void expect_tag_and_operator(void (*expect)(const struct client_filter *, const char *, const char *),
				    const char *tag, const char *op)
{
	char args[128];
	snprintf(args, sizeof(args), "'%s', NULL, NULL, NULL", tag);
	expect(&(struct client_filter){.tag = tag}, args, "clients_tag");
	snprintf(args, sizeof(args), "NULL, '%s', NULL, NULL", op);
	expect(&(struct client_filter){.operator_code = op}, args, "clients_operator");
}

/* Waits (at most ANALYZE_WAIT_S) until clients was analyzed after since (a timestamptz). */
static void expect_analyzed_after(const char *since)
{
	char *v = NULL;
	for (int i = 0; i < ANALYZE_WAIT_S * 10; i++) {
		free(v);
		v = itest_sql("SELECT coalesce(greatest(last_analyze, last_autoanalyze) > '%s', false)"
			      " FROM pg_stat_user_tables WHERE relid = 'clients'::regclass", since);
		if (strcmp(v, "t") == 0)
			break;
		usleep(100 * 1000);
	}
	cr_expect_str_eq(v, "t", "clients not analyzed within %d s of the import", ANALYZE_WAIT_S);
	free(v);
}

/* Imports IMPORTED clients of other tags and operators and analyzes, then IMPORTED clients of a
 * new tag and operator, whose rows come after all of them in id order; tag and op receive their
 * names. The time between the two imports (malloc'ed timestamptz text). */
static char *import_after_others(char tag[32], char op[4])
{
	uniq_code(op);
	uniq_name("before", tag, 32);
	import_api(tag, op);
	free(itest_sql("ANALYZE clients"));
	char *since = itest_sql("SELECT now()");
	uniq_code(op);
	uniq_name("plan", tag, 32);
	import_api(tag, op);
	return since;
}

Test(client_plans, api_import_keeps_filtered_lists_on_their_index)
{
	char tag[32], op[4], *since = import_after_others(tag, op);

	expect_tag_and_operator(expect_index, tag, op);
	expect_index(&(struct client_filter){.timezone = "Europe/Moscow"}, "NULL, NULL, NULL, 'Europe/Moscow'",
		     "clients_timezone");

	char path[128];
	snprintf(path, sizeof(path), "/api/v1/clients?limit=50&tag=%s", tag);
	struct resp *r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	json_t *items = json_object_get(r->json, "results");
	cr_assert_eq(json_array_size(items), 50);
	for (size_t i = 0; i < 50; i++)
		cr_expect_str_eq(jstr(json_array_get(items, i), "tag"), tag);
	cr_expect_not_null(jstr(r->json, "next_cursor"));
	resp_free(r);

	expect_analyzed_after(since);   /* and with the fresh statistics, the same plans */
	expect_tag_and_operator(expect_index, tag, op);
	free(since);
}

Test(client_plans, csv_import_refreshes_statistics)
{
	char code[4], phone[12], tag[32], *since = itest_sql("SELECT now()");
	uniq_code(code);
	uniq_name("csv", tag, sizeof(tag));
	size_t cap = 2000 * 40 + 64, len = 0;
	char *csv = malloc(cap);
	len += (size_t)snprintf(csv, cap, "phone,tag\r\n");
	for (int i = 0; i < 2000; i++) {
		code_phone(code, i, phone);
		len += (size_t)snprintf(csv + len, cap - len, "%s,%s\r\n", phone, tag);
	}
	char *o = web_login("t_operator", "password-operator", NULL), *t = web_csrf(o, "/admin/clients/import");
	struct web_page *pg = web_upload("/admin/clients/import", o, t, "clients.csv", csv);
	cr_assert_eq(pg->status, 200, "%.300s", pg->body);
	cr_assert_not_null(strstr(pg->body, "<span class=\"n\">2000</span> rows read"), "%.2000s", pg->body);
	web_free(pg);
	expect_analyzed_after(since);
	char args[128];
	snprintf(args, sizeof(args), "'%s', NULL, NULL, NULL", tag);
	expect_index(&(struct client_filter){.tag = tag}, args, "clients_tag");
	free(o);
	free(t);
	free(csv);
	free(since);
}

Test(client_plans, api_import_keeps_admin_filtered_lists_on_their_index)
{
	char tag[32], op[4];
	free(import_after_others(tag, op));
	expect_tag_and_operator(expect_admin_index, tag, op);
}
