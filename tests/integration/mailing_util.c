/* mailing_util.c — fixtures for the mailing, message and statistics tests. */
#include "mailing_util.h"

#include <criterion/criterion.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long long mailing_new(const char *text, const char *extra)
{
	struct resp *r = api(tok_operator(), "POST", "/api/v1/mailings",
			     "{\"start_at\":\"" M_START "\",\"end_at\":\"" M_END "\",\"text\":\"%s\"%s}", text, extra);
	cr_assert_eq(r->status, 201, "%s", r->body);
	long long id = jint(r->json, "id");
	resp_free(r);
	return id;
}

void mailing_set_status(long long id, const char *status)
{
	free(itest_sql("UPDATE mailings SET status = '%s' WHERE id = %lld", status, id));
}

void messages_insert(long long mailing_id, int status, int n)
{
	free(itest_sql("INSERT INTO messages (mailing_id, phone, status, attempts, last_error, due_at, expires_at)"
		       " SELECT %lld, '7' || lpad((random() * 1e10)::bigint::text, 10, '0'), %d,"
		       " CASE WHEN %d = " MSG_SQL(MSG_FAILED) " THEN 2 ELSE 0 END,"
		       " CASE WHEN %d = " MSG_SQL(MSG_FAILED) " THEN 'provider said no' END,"
		       " now() + interval '30 days', now() + interval '31 days' FROM generate_series(1, %d)",
		       mailing_id, status, status, status, n));
}

long messages_rows(long long mailing_id, int status)
{
	char *s = itest_sql("SELECT count(*) FROM messages WHERE mailing_id = %lld AND (%d < 0 OR status = %d)",
			    mailing_id, status, status);
	long n = atol(s);
	free(s);
	return n;
}

void notify_listen(const char *channel)
{
	free(itest_sql("LISTEN %s", channel));
}

int notify_seen(const char *channel, const char *payload)
{
	PGconn *c = itest_db();
	for (int i = 0; i < 20; i++) {
		PGnotify *n;
		int found = 0;
		PQconsumeInput(c);
		while ((n = PQnotifies(c)) != NULL) {
			if (strcmp(n->relname, channel) == 0 && strcmp(n->extra, payload) == 0)
				found = 1;
			PQfreemem(n);
		}
		if (found)
			return 1;
		struct pollfd p = {PQsocket(c), POLLIN, 0};
		poll(&p, 1, 100);
	}
	return 0;
}
