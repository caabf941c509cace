/* version.h — the version of this build. The Makefile makes HERALD_VERSION at build time:
 * `git describe` in a git checkout, else its VERSION; nothing generated is committed. */
#ifndef HERALD_VERSION_H
#define HERALD_VERSION_H

/* "1.0.0", "1.0.0-g000f6ae-dirty", ...: only letters, digits and . + _ -, 1..64 characters
 * ("unknown" when the build gave anything else), so it needs no escaping in JSON, Prometheus
 * labels or logs. */
const char *herald_version(void);

#endif
