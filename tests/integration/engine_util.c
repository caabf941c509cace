/* engine_util.c — fixtures of the engine and delivery tests (see engine_util.h). */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "engine_util.h"
#include "itest.h"

static int phone_seq;

void eng_clients(int n, const char *op, const char *tag, const char *tz)
{
	char tagsql[128] = "NULL";
	free(eng_sql("INSERT INTO operators (code) VALUES ('%s') ON CONFLICT DO NOTHING", op));
	if (tag) {
		free(eng_sql("INSERT INTO tags (name) VALUES ('%s') ON CONFLICT DO NOTHING", tag));
		snprintf(tagsql, sizeof(tagsql), "(SELECT id FROM tags WHERE name = '%s')", tag);
	}
	char first[12], last[12];   /* code_phone(op, phone_seq + 1 .. + n), in one statement */
	code_phone(op, phone_seq + 1, first);
	code_phone(op, phone_seq + n, last);
	free(eng_sql("INSERT INTO clients (phone, operator_code, tag_id, timezone)"
		     " SELECT g::text, '%s', %s, '%s' FROM generate_series(%s::bigint, %s::bigint) g",
		     op, tagsql, tz, first, last));
	phone_seq += n;
}

long long eng_mailing(double start_s, double end_s, const char *ops, const char *tags, const char *ws, const char *we)
{
	long long id = eng_int("INSERT INTO mailings (start_at, end_at, text, filter_operator_codes, filter_tags,"
			       " window_start, window_end) VALUES (now() + %f * interval '1 second',"
			       " now() + %f * interval '1 second', 'Hello \"engine\" \\ ü', '%s', '%s', %s, %s) RETURNING id",
			       start_s, end_s, ops, tags, ws, we);
	free(eng_sql("SELECT pg_notify('herald_mailings', '%lld')", id));
	return id;
}

long long eng_count(long long mid, int status)
{
	return eng_int("SELECT coalesce((SELECT n FROM message_counts WHERE mailing_id = %lld AND status = %d), 0)",
		       mid, status);
}

int eng_wait_final(long long mid, double s)
{
	return eng_wait(s, "SELECT coalesce(sum(n) FILTER (WHERE status IN (message_status('pending'),"
			   " message_status('sending'))), 0) = 0 AND coalesce(sum(n), 0) > 0 FROM message_counts WHERE mailing_id = %lld", mid);
}

struct proc eng_herald(const struct proc *fp, ...)
{
	const char *env[24] = {"HERALD_RETRY_BASE_MS=50", "HERALD_RETRY_MAX_MS=400", "HERALD_PROVIDER_TIMEOUT_MS=2000"};
	int n = 3;
	va_list ap;
	va_start(ap, fp);
	const char *e;
	while ((e = va_arg(ap, const char *)) != NULL && n < 23)
		env[n++] = e;
	va_end(ap);
	env[n] = NULL;
	return herald_start(fp, env);
}

struct proc eng_reporting_provider(const struct proc *h, const char *secret, const char *const *args, long long *id)
{
	char url[160], label[128];
	const char *argv[16] = {"--dlr-url", url, "--dlr-secret", secret};
	int n = 4;
	*id = eng_int("INSERT INTO providers (name, url, dlr_secret, enabled) VALUES ('dlr-%s', 'http://127.0.0.1:1/v1',"
		      " '%s', false) RETURNING id", secret, secret);
	snprintf(url, sizeof(url), "%s/api/v1/providers/%lld/dlr", h->url, *id);
	while (args && *args && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	struct proc fp = fakeprobe_start(argv);
	free(eng_sql("UPDATE providers SET url = '%s/v1', enabled = true, updated_at = now() WHERE id = %lld RETURNING id",
		     fp.url, *id));
	/* the dispatcher took the row once /metrics names it (before, messages go to the others) */
	snprintf(url, sizeof(url), "%s/metrics", h->url);
	snprintf(label, sizeof(label), "herald_provider_circuit{provider=\"dlr-%s\"}", secret);
	int seen = 0;
	for (int i = 0; i < 100 && !seen; i++) {
		char *text = url_text("GET", url, NULL, NULL);
		seen = text && strstr(text, label);
		free(text);
		if (!seen)
			usleep(100000);
	}
	cr_assert(seen, "herald did not take provider %lld", *id);
	return fp;
}

json_t *fp_received(const struct proc *fp)
{
	char url[128];
	snprintf(url, sizeof(url), "%s/received", fp->url);
	json_t *j = url_json("GET", url, NULL, NULL);
	cr_assert_not_null(j);
	json_t *a = json_incref(json_object_get(j, "results"));
	json_decref(j);
	return a;
}

void fp_control(const struct proc *fp, const char *body)
{
	char url[128];
	long st = 0;
	snprintf(url, sizeof(url), "%s/control", fp->url);
	json_decref(url_json("POST", url, body, &st));
	cr_assert_eq(st, 200, "control %s", body);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *fp_phones_ok(const struct proc *fp)
{
	json_t *a = fp_received(fp), *e;
	size_t i, n = 0;
	char **list = calloc(json_array_size(a) + 1, sizeof(char *));
	json_array_foreach(a, i, e) {
		if (json_integer_value(json_object_get(e, "status")) == 200) {
			cr_assert(asprintf(&list[n++], "%lld", (long long)json_integer_value(json_object_get(e, "phone"))) > 0);
		}
	}
	qsort(list, n, sizeof(*list), cmp_str);
	size_t len = 1;
	for (i = 0; i < n; i++)
		len += strlen(list[i]) + 1;
	char *out = calloc(1, len);
	for (i = 0; i < n; i++) {
		if (i)
			strcat(out, ",");
		strcat(out, list[i]);
		free(list[i]);
	}
	free(list);
	json_decref(a);
	return out;
}

int fp_arrivals(const struct proc *fp, const char *phone, long long *ts, int max)
{
	json_t *a = fp_received(fp), *e;
	size_t i;
	int n = 0;
	json_array_foreach(a, i, e) {
		char p[24];
		snprintf(p, sizeof(p), "%lld", (long long)json_integer_value(json_object_get(e, "phone")));
		if (strcmp(p, phone) == 0 && n < max)
			ts[n++] = json_integer_value(json_object_get(e, "ts_ms"));
	}
	json_decref(a);
	return n;
}

long file_has(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return 0;
	char line[8192];
	long no = 0, at = 0;
	while (at == 0 && fgets(line, sizeof(line), f)) {
		no++;
		if (strstr(line, needle))
			at = no;
	}
	fclose(f);
	return at;
}

