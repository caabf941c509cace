/* net.c — address lists (see net.h). */
#include "net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads ip text into family/addr; an IPv4-mapped IPv6 address becomes IPv4. 0 or -1. */
static int parse_addr(const char *ip, int *family, unsigned char addr[16])
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (inet_pton(AF_INET, ip, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, ip, addr) != 1)
		return -1;
	*family = AF_INET6;
	if (memcmp(addr, mapped, sizeof(mapped)) == 0) {
		memmove(addr, addr + 12, 4);
		*family = AF_INET;
	}
	return 0;
}

/* 1 when the first bits of a and b are equal. */
static int prefix_equal(const unsigned char *a, const unsigned char *b, int bits)
{
	int bytes = bits / 8, rest = bits % 8;
	if (memcmp(a, b, (size_t)bytes) != 0)
		return 0;
	return rest == 0 || ((a[bytes] ^ b[bytes]) & (0xff << (8 - rest)) & 0xff) == 0;
}

static int parse_one(const char *s, size_t len, struct net *n)
{
	char text[NET_ADDR_LEN + 8];
	if (len == 0 || len >= sizeof(text))
		return -1;
	memcpy(text, s, len);
	text[len] = '\0';
	char *slash = strchr(text, '/');
	if (slash)
		*slash = '\0';
	if (parse_addr(text, &n->family, n->addr) < 0)
		return -1;
	int max = n->family == AF_INET ? 32 : 128;
	n->bits = max;
	if (slash) {
		char *end;
		long b = strtol(slash + 1, &end, 10);
		if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || b > max)
			return -1;
		n->bits = (int)b;
	}
	unsigned char masked[16];
	memcpy(masked, n->addr, sizeof(masked));
	for (int i = n->bits; i < max; i++)
		masked[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
	return memcmp(masked, n->addr, (size_t)max / 8) == 0 ? 0 : -1;
}

int net_list_parse(const char *text, struct net_list *l, char *err, size_t errlen)
{
	l->len = 0;
	for (const char *p = text ? text : ""; *p;) {
		p += strspn(p, " \t,");
		size_t len = strcspn(p, " \t,");
		if (len == 0)
			break;
		if (l->len == NET_MAX) {
			snprintf(err, errlen, "more than %d networks", NET_MAX);
			return -1;
		}
		if (parse_one(p, len, &l->n[l->len]) < 0) {
			snprintf(err, errlen, "'%.*s' is not an address or a network (CIDR)", (int)(len > 60 ? 60 : len), p);
			return -1;
		}
		l->len++;
		p += len;
	}
	return 0;
}

int net_list_has(const struct net_list *l, const char *ip)
{
	int family;
	unsigned char addr[16];
	if (l->len == 0 || parse_addr(ip, &family, addr) < 0)
		return 0;
	for (int i = 0; i < l->len; i++)
		if (l->n[i].family == family && prefix_equal(l->n[i].addr, addr, l->n[i].bits))
			return 1;
	return 0;
}

void net_addr_text(const struct sockaddr *sa, char out[NET_ADDR_LEN])
{
	unsigned char addr[16];
	int family;
	out[0] = '\0';
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, NET_ADDR_LEN);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, NET_ADDR_LEN);
	if (*out && parse_addr(out, &family, addr) == 0 && family == AF_INET)
		inet_ntop(AF_INET, addr, out, NET_ADDR_LEN);
}

int net_addr_norm(const char *ip, char out[NET_ADDR_LEN])
{
	unsigned char addr[16];
	int family;
	if (parse_addr(ip, &family, addr) < 0)
		return -1;
	inet_ntop(family, addr, out, NET_ADDR_LEN);
	return 0;
}

int net_is_loopback(const char *ip)
{
	static const struct net_list lo = {{{AF_INET, {127}, 8}, {AF_INET6, {[15] = 1}, 128}}, 2};
	return net_list_has(&lo, ip);
}
