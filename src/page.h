/* page.h — one page of an API list: the key after which it starts, its size, and whether the
 * total is wanted (?count=true). */
#ifndef HERALD_PAGE_H
#define HERALD_PAGE_H

#define PAGE_DEFAULT 50
#define PAGE_MAX 1000

struct page {
	char after[72];     /* the key after which the page starts ("" for the first page) */
	int limit;
	int count;          /* ?count=true */
};

#endif
