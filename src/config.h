/* config.h — herald's configuration: defaults, then the config file, then the environment.
 * The file is directive-per-line (Kore style): "listen 127.0.0.1:8080"; a value "$NAME" is the
 * environment variable NAME (a directive whose variable is unset keeps its default). */
#ifndef HERALD_CONFIG_H
#define HERALD_CONFIG_H
#include <stddef.h>
#include "net.h"

struct config {
	char *database_url;
	char *listen;
	char *provider_url;
	char *provider_token;
	int provider_timeout_ms;
	int provider_concurrency;
	int provider_rate;          /* requests per second, 0 = unlimited */
	int retry_base_ms;
	int retry_max_ms;
	int dispatch_workers;         /* dispatcher threads, each with its own connection */
	int dispatch_batch;           /* messages claimed / written back per statement */
	int webhook_timeout_ms;       /* one webhook delivery's request */
	int webhook_concurrency;      /* webhook requests in flight per instance */
	int webhook_retry_base_ms;    /* the first retry's delay; each next one doubles, to an hour */
	int webhook_defer_ms;         /* while this instance sends, events wait up to this long */
	char *default_timezone;
	char *smtp_url;
	char *report_to;
	char *report_from;
	char *report_time;
	char *language;             /* of the daily e-mail (and pages with no better choice): i18n.h */
	char *public_url;           /* where admins reach herald ("https://herald.example.com"): links */
	char *smpp_listen;
	int smpp_max_connections;   /* SMPP links at once (at most SMPP_MAX_CONNS) */
	int smpp_max_connections_per_ip;
	int smpp_bind_timeout_s;    /* an SMPP link must bind within this time */
	int smpp_send_timeout_s;    /* closed when its queued output does not move for this long */
	int smpp_enquire_link_s;    /* an upstream SMSC link (provider kind smpp) idle this long is probed */
	char *log_dir;
	char *log_level;
	int http_threads;
	int http_timeout_s;
	char *run_as;               /* user to switch to when started as root */
	char *root;                 /* folder holding sql/, templates/, assets/ */
	int token_cache_s;          /* how long an API token check is reused */
	char *trusted_proxies;      /* CIDRs whose X-Forwarded-For/-Proto are believed */
	char *metrics_allow;        /* CIDRs that may read /metrics without the token */
	char *metrics_token;        /* bearer token that opens /metrics from anywhere, or "" */
	char *cookie_secure;        /* "on", or "off" for plain HTTP on a loopback listen address */
	char *smtp_require_tls;     /* "on": smtp:// with credentials must use STARTTLS; "off" */
	char *oidc_issuer;          /* OpenID Connect sign-in (oidc.h) when these three are set */
	char *oidc_client_id;
	char *oidc_client_secret;
	char *oidc_role_claim;      /* the ID token claim holding admin, operator or viewer */
	char *oidc_redirect_uri;    /* "": https://{Host}/admin/oidc/callback of the request */
	char *oidc_name;            /* shown on the button: "Sign in with {oidc_name}" */
	struct net_list trusted;    /* trusted_proxies, parsed */
	struct net_list metrics_nets; /* metrics_allow, parsed */
};

extern struct config cfg;

/* Sets every field to its default. */
void config_defaults(void);
/* Reads path; on error returns -1 and writes "path:line: message" into err. A missing file
 * is an error only when required is non-zero. */
int config_load(const char *path, int required, char *err, size_t errlen);
/* Applies the environment variables of API.md section 1; -1 with err on a bad value. */
int config_env(char *err, size_t errlen);
/* Loads defaults, HERALD_CONFIG or conf/herald.conf, then the environment; exits on error. */
void config_init(void);

#endif
