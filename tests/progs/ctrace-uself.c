// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace-uself: a program that records itself with ctrace_start(), in the
 * shape of runtime/trace's own example: for each order, a task
 * "makeCappuccino" with a log of its order ID; one thread steams the milk
 * (a region that writes a file and sleeps), another extracts the coffee (a
 * region that reads the file back and spins), then the first thread mixes
 * them (a region) and ends the task.
 *
 *   ctrace-uself FILE ORDERS HOW [user-only]
 *
 * HOW says how the recording ends, or what else happens:
 *   stop     ctrace_stop(), then exit 0
 *   exit     return from main without ctrace_stop() (the atexit flush)
 *   kill     wait for a drain, then SIGKILL itself
 *   twice    a second ctrace_start() must fail with -EBUSY
 *   fork     a child, forked while recording, writes regions "child" and
 *            records itself into FILE.child; the parent's file must not
 *            have them
 *   env      no ctrace_start(): CTRACE_TRACE=FILE started it at load
 * Prints "main <tid> steam <tid> coffee <tid>" of the last order.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "ctrace.h"

struct order {
	ctrace_task_t task;
	char path[4200];
	pid_t steam_tid, coffee_tid;
};

static void spin_ms(int ms)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < ms);
}

static void *steam_milk(void *arg)
{
	struct order *o = arg;
	struct ctrace_region r = ctrace_region_begin_in(o->task, "steamMilk");
	char buf[4096];
	int fd;

	o->steam_tid = syscall(SYS_gettid);
	memset(buf, 'm', sizeof(buf));
	fd = open(o->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			ctrace_log(o->task, "error", "short write");
		close(fd);
	}
	usleep(3000);
	ctrace_region_end(r);
	return NULL;
}

static void *extract_coffee(void *arg)
{
	struct order *o = arg;
	struct ctrace_region r = ctrace_region_begin_in(o->task, "extractCoffee");
	char buf[4096];
	int fd;

	o->coffee_tid = syscall(SYS_gettid);
	fd = open(o->path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf)) < 0)
			ctrace_log(o->task, "error", "read failed");
		close(fd);
	}
	spin_ms(2);
	ctrace_region_end(r);
	return NULL;
}

static void make_cappuccino(struct order *o, int id)
{
	pthread_t milk, coffee;

	o->task = ctrace_task_begin(0, "makeCappuccino");
	ctrace_logf(o->task, "orderID", "%d", id);
	pthread_create(&milk, NULL, steam_milk, o);
	pthread_create(&coffee, NULL, extract_coffee, o);
	pthread_join(milk, NULL);
	pthread_join(coffee, NULL);
	{
		CTRACE_REGION_IN(o->task, "mixMilkCoffee");
		spin_ms(1);
	}
	ctrace_task_end(o->task);
}

static int start(const char *path, int user_only)
{
	struct ctrace_start_opts opts = {
		.size = sizeof(opts),
		.flags = user_only ? CTRACE_START_USER_ONLY : 0,
	};
	int err = ctrace_start(path, &opts);

	if (err)
		fprintf(stderr, "ctrace-uself: ctrace_start: %s (%d)\n", ctrace_start_error(), err);
	return err;
}

int main(int argc, char **argv)
{
	static struct order o;
	const char *how;
	int orders, user_only;
	pid_t child = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: ctrace-uself FILE ORDERS HOW [user-only]\n");
		return 2;
	}
	orders = atoi(argv[2]);
	how = argv[3];
	user_only = argc > 4 && !strcmp(argv[4], "user-only");
	snprintf(o.path, sizeof(o.path), "%s.milk", argv[1]);
	if (strcmp(how, "env") && start(argv[1], user_only))
		return 1;
	if (!strcmp(how, "twice")) {
		int err = ctrace_start(argv[1], NULL);

		printf("second start: %d %s\n", err, ctrace_start_error());
		if (err != -EBUSY)
			return 3;
	}
	if (!strcmp(how, "fork")) {
		child = fork();
		if (!child) {
			char path[4200];
			int err;

			/* Not recorded into the parent's file... */
			for (int i = 0; i < 5; i++) {
				CTRACE_REGION("child");
			}
			/* ...but free to record itself. */
			snprintf(path, sizeof(path), "%s.child", argv[1]);
			err = start(path, user_only);
			for (int i = 0; i < 5; i++) {
				CTRACE_REGION("child");
			}
			_exit(err || ctrace_stop() ? 4 : 0);
		}
	}
	for (int i = 0; i < orders; i++)
		make_cappuccino(&o, i);
	printf("main %ld steam %d coffee %d\n", syscall(SYS_gettid), o.steam_tid, o.coffee_tid);
	fflush(stdout);
	unlink(o.path);
	if (child > 0) {
		int st;

		if (waitpid(child, &st, 0) != child || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "ctrace-uself: the child failed\n");
			return 5;
		}
	}
	if (!strcmp(how, "kill")) {
		/* The reader drains at least every 200 ms. */
		usleep(500 * 1000);
		raise(SIGKILL);
	}
	if (!strcmp(how, "exit") || !strcmp(how, "env"))
		return 0;
	if (ctrace_stop()) {
		fprintf(stderr, "ctrace-uself: ctrace_stop: %s\n", ctrace_start_error());
		return 1;
	}
	return 0;
}
