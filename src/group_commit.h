/* group_commit.h — writes that arrive together share one statement (group commit). A caller
 * queues its item and waits; when no batch is being written, the first waiting caller takes up
 * to max of the queued items, writes them with write(conn, items, n) on its own connection, and
 * wakes the others. Every item is written before its caller returns, as if it had written its
 * own, and concurrent callers pay one statement. Used by the delivery reports (dlr.c). */
#ifndef HERALD_GROUP_COMMIT_H
#define HERALD_GROUP_COMMIT_H
#include <pthread.h>

/* The first member of every queued item. */
struct group_item {
	int done;
};

/* Writes the n items (each the first member of the caller's struct) on conn and records each
 * one's outcome in it. */
typedef void (*group_write_fn)(void *conn, struct group_item **items, int n);

#define GROUP_QUEUE_MAX 1024   /* callers past it wait to queue */
struct group_commit {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int max;                   /* items a statement holds at most, at most GROUP_QUEUE_MAX */
	group_write_fn write;
	struct group_item *q[GROUP_QUEUE_MAX];
	int n, writing;
};
#define GROUP_COMMIT_INIT(max_, write_) \
	{.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .max = (max_), .write = (write_)}

/* Queues item and returns once a batch holding it was written, by this caller on conn or by
 * another on its own. */
void group_commit(struct group_commit *g, void *conn, struct group_item *item);

#endif
