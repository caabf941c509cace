/* dispatch_text.c — what a dispatch worker sends: its mailings' texts (kept for TEXT_CACHE
 * mailings, read once each) and, for a text with tags (personal.h), each recipient's text,
 * rendered from the client's phone, tag and attributes as they are when the message is
 * claimed. The text itself is frozen when the mailing starts (scheduler.c). */
#include "dispatch_worker.h"
#include "log.h"
#include "personal.h"
#include "pgarr.h"
#include "tmpl.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

static const char sql_text[] = "SELECT text FROM mailings WHERE id = $1";

/* The recipients of a claim's personal messages, in the order of $1 (their client ids; a
 * direct message has none, and gets its phone only). Scalar subqueries probe the primary key
 * for each id: a join of the array is planned, once it holds hundreds of ids, as a hash join
 * over a sequential scan of clients (56 ms for 450 ids of 50,000 clients, against 1.4 ms). */
static const char sql_recipients[] =
    "SELECT (SELECT t.name FROM clients c JOIN tags t ON t.id = c.tag_id WHERE c.id = u.id),"
    " (SELECT c.attributes::text FROM clients c WHERE c.id = u.id)"
    " FROM unnest($1::bigint[]) WITH ORDINALITY u(id, i) ORDER BY u.i";

const struct wtext *dw_text(struct worker *w, int64_t mailing_id)
{
	for (int i = 0; i < TEXT_CACHE; i++)
		if (w->texts[i].text && w->texts[i].mailing_id == mailing_id)
			return &w->texts[i];
	char id[DB_NUM_LEN], err[300];
	const char *p[] = {db_num(id, mailing_id)};
	PGresult *r = db_exec(w->db, sql_text, 1, p);
	if (r == NULL)
		return NULL;
	struct wtext *t = &w->texts[w->text_next++ % TEXT_CACHE];
	dw_text_free(t);
	if (PQntuples(r) && !db_null(r, 0, 0)) {
		t->mailing_id = mailing_id;
		t->text = xstrdup(db_str(r, 0, 0));
		/* a text that no longer parses (stored before the rule) is sent as it is written */
		if (personal_is(t->text) && (t->personal = personal_parse(t->text, err, sizeof(err))) == NULL)
			log_warn("dispatch.text_not_a_template", LI("mailing_id", mailing_id), LS("error", err));
	}
	PQclear(r);
	return t->text ? t : NULL;
}

void dw_text_free(struct wtext *t)
{
	free(t->text);
	if (t->personal)
		tmpl_set_free(t->personal);
	*t = (struct wtext){0, NULL, NULL};
}

int dw_render(struct worker *w, struct provider_msg **ms, const struct tmpl_set *const *ts, int n)
{
	struct buf ids = BUF_INIT, out = BUF_INIT;
	pgarr_start(&ids);
	for (int i = 0; i < n; i++)
		pgarr_int(&ids, ms[i]->client_id);
	pgarr_end(&ids);
	const char *p[] = {ids.data};
	PGresult *r = db_exec(w->db, sql_recipients, 1, p);
	buf_free(&ids);
	if (r == NULL || PQntuples(r) != n) {
		if (r)
			PQclear(r);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		json_t *ctx = personal_context(ms[i]->phone, db_null(r, i, 0) ? NULL : db_str(r, i, 0),
					       db_null(r, i, 1) ? NULL : db_str(r, i, 1));
		out.len = 0;
		if (personal_render(ts[i], ctx, &out) == 0) {
			ms[i]->text = xstrdup(out.data);
			ms[i]->rendered = 1;
		} else {
			ms[i]->text = NULL;
			snprintf(ms[i]->error, sizeof(ms[i]->error),
				 "the text came out empty or longer than %d bytes for this recipient", PERSONAL_OUT_MAX);
		}
		json_decref(ctx);
	}
	buf_free(&out);
	PQclear(r);
	return 0;
}
