/* net.h — address lists from the configuration ("10.0.0.0/8, ::1"): parsing and membership.
 * Addresses are compared as text forms of IPv4 or IPv6; an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) counts as the IPv4 address. No allocation; a list holds NET_MAX entries. */
#ifndef HERALD_NET_H
#define HERALD_NET_H
#include <stddef.h>
#include <sys/socket.h>

#define NET_MAX 32
#define NET_ADDR_LEN 46           /* INET6_ADDRSTRLEN */

struct net {
	int family;                   /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int bits;
};

struct net_list {
	struct net n[NET_MAX];
	int len;
};

/* Parses a comma-separated list of addresses and CIDRs ("" or NULL: an empty list). 0, or -1
 * with err naming the bad entry (a host part beyond the prefix counts as bad). */
int net_list_parse(const char *text, struct net_list *l, char *err, size_t errlen);
/* 1 when the address text ip is inside one of l's networks; 0 otherwise (and for bad text). */
int net_list_has(const struct net_list *l, const char *ip);
/* The text form of sa (IPv4-mapped IPv6 as IPv4) into out; "" when it is not IP. */
void net_addr_text(const struct sockaddr *sa, char out[NET_ADDR_LEN]);
/* Writes the canonical text of the address text ip (IPv4-mapped as IPv4) into out: 0, or -1
 * when ip is not an address. */
int net_addr_norm(const char *ip, char out[NET_ADDR_LEN]);
/* 1 when ip is a loopback address (127.0.0.0/8, ::1). */
int net_is_loopback(const char *ip);

#endif
