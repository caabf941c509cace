/* smpp.h — the "smpp" role: an SMPP 3.4 server (API.md section 7). One thread runs an epoll
 * loop over non-blocking sockets (many binds at once); a second thread (smpp_store) talks to
 * PostgreSQL. Starts only when cfg.smpp_listen is set. */
#ifndef HERALD_SMPP_H
#define HERALD_SMPP_H

/* Binds cfg.smpp_listen and starts the threads; 0 (also when SMPP is disabled) or -1. */
int smpp_start(void);
/* Stops accepting, answers what the database worker still holds (up to 5 s), closes. */
void smpp_stop(void);

#endif
