/* `herald demo` (issue 15, demo data) in a database of the test's own: what it adds, a second
 * run adding no clients, its mailing delivered through a real fakeprobe by a real herald, and
 * its refusal of a provider that is not on this machine. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine_util.h"
#include "proc.h"

TestSuite(demo, .init = eng_db_create, .fini = proc_cleanup, .timeout = 120);

#define SENT 2

Test(demo, seeds_the_directory_and_its_mailing_is_delivered)
{
	struct proc fp = fakeprobe_start(NULL);
	char env[160], *out;
	snprintf(env, sizeof(env), "HERALD_PROVIDER_URL=%s/v1", fp.url);
	cr_assert_eq(eng_cli(env, "demo", &out), 0, "herald demo failed");
	long long mid = atoll(out);
	cr_assert_gt(mid, 0, "stdout: %s", out);
	free(out);

	cr_assert_eq(eng_int("SELECT count(*) FROM clients"), 10000);
	cr_assert_eq(eng_int("SELECT count(DISTINCT timezone) FROM clients"), 12);
	cr_assert_eq(eng_int("SELECT count(*) FROM clients WHERE phone !~ '^79[0-9]{9}$'"
			     " OR substr(phone, 2, 3) <> operator_code"), 0);
	char *name = eng_sql("SELECT name FROM operators WHERE code = '916'");
	cr_assert_str_eq(name, "МТС");
	free(name);
	name = eng_sql("SELECT string_agg(DISTINCT name COLLATE \"C\", ',' ORDER BY name COLLATE \"C\") FROM operators");
	cr_assert_str_eq(name, "Tele2,Yota,Билайн,МТС,МегаФон");
	free(name);
	cr_assert_eq(eng_int("SELECT count(*) FROM operators o WHERE NOT EXISTS"
			     " (SELECT 1 FROM clients c WHERE c.operator_code = o.code)"), 0,
		     "every operator has clients");
	char *tags = eng_sql("SELECT string_agg(name, ',' ORDER BY name) FROM tags WHERE clients BETWEEN 2000 AND 3000");
	cr_assert_str_eq(tags, "b2b,loyal,new,vip");
	free(tags);
	cr_assert_eq(eng_int("SELECT count(DISTINCT tag_id) FROM clients WHERE operator_code = '916'"), 4,
		     "an operator's clients carry every tag");
	cr_assert_eq(eng_int("SELECT count(DISTINCT attributes->>'name') FROM clients"), 10, "clients have first names");
	cr_assert_eq(eng_int("SELECT count(*) FROM mailings g JOIN templates t ON t.id = g.template_id"
			     " WHERE g.id = %lld AND g.text IS NULL AND t.text LIKE 'Здравствуйте{{#attributes.name}}%%'", mid), 1,
		     "the mailing reads a template that greets each client by name");

	/* A second run adds a mailing and no clients. */
	cr_assert_eq(eng_cli(env, "demo", &out), 0);
	cr_assert_eq(atoll(out), mid + 1);
	free(out);
	cr_assert_eq(eng_int("SELECT count(*) FROM clients"), 10000);
	cr_assert_eq(eng_int("SELECT count(*) FROM mailings WHERE start_at <= now() AND end_at > now() + interval '23 hours'"), 2);

	/* herald sends the first mailing through fakeprobe within the minute promised. */
	eng_sql("DELETE FROM mailings WHERE id = %lld", mid + 1);
	struct proc h = herald_start(&fp, NULL);
	cr_assert(eng_wait_final(mid, 60), "mailing %lld not delivered within 60 s", mid);
	cr_assert_eq(eng_count(mid, SENT), 10000);
	cr_assert_eq(fp_stat(&fp, "ok"), 10000);
	cr_assert_eq(fp_stat(&fp, "duplicates"), 0);
	cr_assert_eq(eng_int("SELECT count(*) FROM messages m JOIN clients c ON c.id = m.client_id WHERE m.mailing_id = %lld"
			     " AND m.text LIKE 'Здравствуйте, ' || (c.attributes->>'name') || '! Это %%'", mid), 10000,
		     "each message greets its client by name");
	cr_assert(eng_wait(5, "SELECT status = 'finished' FROM mailings WHERE id = %lld", mid));
	proc_stop(&h, SIGTERM, 20);
}

Test(demo, refuses_a_provider_elsewhere_and_changes_nothing)
{
	char *out;
	cr_assert_eq(eng_cli("HERALD_PROVIDER_URL=https://probe.example.com/v1", "demo", &out), 1);
	cr_assert_str_eq(out, "");
	free(out);
	cr_assert_eq(eng_int("SELECT (SELECT count(*) FROM clients) + (SELECT count(*) FROM mailings)"
			     " + (SELECT count(*) FROM tags) + (SELECT count(*) FROM operators)"), 0);
}

Test(demo, unknown_option_is_a_usage_error)
{
	char *out;
	cr_assert_eq(eng_cli("", "demo --clients 5", &out), 2);
	free(out);
	cr_assert_eq(eng_int("SELECT count(*) FROM clients"), 0);
}
