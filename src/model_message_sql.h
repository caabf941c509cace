/* model_message_sql.h — the message object in SQL, which the messages' reads (model_message.c)
 * and their one list (message_search.c) share; not for other callers. */
#ifndef HERALD_MODEL_MESSAGE_SQL_H
#define HERALD_MODEL_MESSAGE_SQL_H

/* The message's JSON (MESSAGE_BUILD; MESSAGE_OBJ: as text), for a messages row aliased g.
 * smpp_account is the system_id of the SMPP account that submitted it, else null. */
#define MESSAGE_BUILD \
	"json_build_object('id', g.id, 'mailing_id', g.mailing_id, 'client_id', g.client_id," \
	" 'phone', g.phone, 'text', coalesce(g.text, (SELECT text FROM mailings WHERE id = g.mailing_id))," \
	" 'status', message_status_name(g.status), 'attempts', g.attempts, 'last_error', g.last_error," \
	" 'created_at', api_ts(g.created_at), 'sent_at', api_ts(g.sent_at), 'reported_at', api_ts(g.reported_at)," \
	" 'smpp_account', (SELECT a.system_id FROM smpp_messages s JOIN smpp_accounts a ON a.id = s.account_id" \
	"   WHERE s.message_id = g.id))"
#define MESSAGE_OBJ MESSAGE_BUILD "::text"

#endif
