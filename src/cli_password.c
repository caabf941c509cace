/* cli_password.c — reading a password from stdin: hidden and confirmed on a terminal, one
 * line from a pipe. */
#include "cli.h"

#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const int restore_on[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define NSIG_RESTORE ((int)(sizeof(restore_on) / sizeof(restore_on[0])))

static struct termios saved;

/* A signal while the echo is off: echo back on, then the signal's default action. */
static void restore_and_die(int sig)
{
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* One line of stdin into out, without its line end. */
static int read_line(char out[CLI_PASSWORD_BUF], char *err, size_t errlen)
{
	if (fgets(out, CLI_PASSWORD_BUF, stdin) == NULL) {
		snprintf(err, errlen, "no password on standard input");
		return -1;
	}
	if (strchr(out, '\n') == NULL && !feof(stdin)) {
		sodium_memzero(out, CLI_PASSWORD_BUF);
		snprintf(err, errlen, "the password is longer than %d bytes", PASSWORD_MAX);
		return -1;
	}
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

/* Reads a line from the terminal on stdin into out and, when again is not NULL, a second one
 * into again, each after its prompt on stderr, with the echo off throughout (the newline is
 * still echoed). Input typed before the first prompt is discarded. */
static int read_hidden(const char *prompt, char out[CLI_PASSWORD_BUF], char *again, char *err, size_t errlen)
{
	struct sigaction sa = {.sa_handler = restore_and_die}, old[NSIG_RESTORE];
	struct termios quiet;
	if (tcgetattr(STDIN_FILENO, &saved) < 0) {
		snprintf(err, errlen, "cannot read the terminal's settings");
		return -1;
	}
	quiet = saved;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < NSIG_RESTORE; i++)
		sigaction(restore_on[i], &sa, &old[i]);
	int rc = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	if (rc < 0) {
		snprintf(err, errlen, "cannot turn the terminal's echo off");
	} else {
		fputs(prompt, stderr);
		fflush(stderr);
		rc = read_line(out, err, errlen);
	}
	if (rc == 0 && again) {
		fputs("Again: ", stderr);
		fflush(stderr);
		rc = read_line(again, err, errlen);
	}
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	for (int i = 0; i < NSIG_RESTORE; i++)
		sigaction(restore_on[i], &old[i], NULL);
	return rc;
}

int cli_password(const char *prompt, int confirm, char out[CLI_PASSWORD_BUF], char *err, size_t errlen)
{
	char again[CLI_PASSWORD_BUF];
	if (!isatty(STDIN_FILENO))
		return read_line(out, err, errlen);
	int rc = read_hidden(prompt, out, confirm ? again : NULL, err, errlen);
	if (rc == 0 && confirm && strcmp(out, again) != 0) {
		snprintf(err, errlen, "the two passwords differ");
		rc = -1;
	}
	sodium_memzero(again, sizeof(again));
	if (rc < 0)
		sodium_memzero(out, CLI_PASSWORD_BUF);
	return rc;
}
