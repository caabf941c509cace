/* serve.h — `herald serve`: starts the roles (threads of this process), waits for SIGTERM or
 * SIGINT, stops them in reverse order and returns the exit status. */
#ifndef HERALD_SERVE_H
#define HERALD_SERVE_H

/* roles is "web,scheduler,..." or NULL for all. */
int serve_run(const char *roles);

/* Opens the log, connects, applies migrations and loads time zones: what every command that
 * touches the database needs first; with providers (serve and migrate, not the other commands,
 * which may run without the server's environment), makes the provider "default" follow
 * HERALD_PROVIDER_URL (provider_default_sync). Exits on failure. */
void serve_prepare(int providers);

#endif
