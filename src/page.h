/* page.h — the size of a page of an API list (?limit). */
#ifndef HERALD_PAGE_H
#define HERALD_PAGE_H

#define PAGE_DEFAULT 50
#define PAGE_MAX 1000

#endif
