// SPDX-License-Identifier: GPL-2.0
/*
 * mosaicctl bench: runs mosaic-bench (bench/mosaic-bench/, the program
 * `make bench` runs in the VM) on this machine and hands its records to
 * mosaic-bench-stats (bench/stats.py, which computes the statistics of
 * `make bench`'s report too), whose --summary prints the medians per row
 * and size, as text or JSON. This file only finds the two programs,
 * passes the options on, shows the progress, and collects the records;
 * --raw prints the records instead and needs neither the statistics nor
 * Python. Both programs are installed in $(PREFIX)/libexec/mosaic.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mosaicctl.h"

#define BENCH_PROG	"mosaic-bench"
#define STATS_PROG	"mosaic-bench-stats"
#define BENCH_MAX_ARGS	64

/* The record types of mosaic-bench (bench/mosaic-bench/main.c). */
static bool bench_is_record(const char *line)
{
	static const char *const types[] = {
		"meta,", "row,", "rep,", "skip,", "fail,", "end,", "orders,",
		"fa,", "frag,",
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strncmp(line, types[i], strlen(types[i])))
			return true;
	return false;
}

/*
 * Where a helper program is: $@env, next to us, or the libexec dir.
 * EXIT_OK with its path in @path, or EXIT_NO_BENCH.
 */
static int find_program(const struct ctl *c, const char *env_name,
			const char *name, char *path, size_t len)
{
	const char *env = getenv(env_name);
	char self[4096], tried[4200];
	ssize_t n;
	char *slash;

	if (env && *env) {
		if (access(env, X_OK))
			return fail(c, EXIT_NO_BENCH, -errno,
				    "%s=%s: not an executable file (%s)",
				    env_name, env, err_name(-errno));
		snprintf(path, len, "%s", env);
		return EXIT_OK;
	}
	tried[0] = '\0';
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			snprintf(path, len, "%.*s/%s", (int)(slash - self), self,
				 name);
			if (!access(path, X_OK))
				return EXIT_OK;
			snprintf(tried, sizeof(tried), "%s, ", path);
		}
	}
	snprintf(path, len, "%s/%s", MOSAIC_LIBEXECDIR, name);
	if (!access(path, X_OK))
		return EXIT_OK;
	return fail(c, EXIT_NO_BENCH, ENOENT,
		    "%s not found (tried %s%s; install it with make install, or set %s)",
		    name, tried, path, env_name);
}

/*
 * Run @argv with @input (if not NULL) on its stdin and our stdout and
 * stderr; its wait status, or -errno.
 */
static int run_with_input(char *const *argv, const char *input, size_t len)
{
	void (*old_pipe)(int);
	int pipefd[2], status;
	pid_t pid;

	if (pipe(pipefd))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	if (!pid) {
		dup2(pipefd[0], STDIN_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pipefd[0]);
	/* A reader that stops early ends with a status, not us with SIGPIPE. */
	old_pipe = signal(SIGPIPE, SIG_IGN);
	while (input && len) {
		ssize_t n = write(pipefd[1], input, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* it stopped reading: its status says why */
		input += n;
		len -= (size_t)n;
	}
	close(pipefd[1]);
	signal(SIGPIPE, old_pipe);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return status;
}

/* The progress line: one line rewritten on a terminal, else plain lines. */
static void bench_progress(const char *line, bool tty)
{
	if (tty)
		fprintf(stderr, "\rbench: %.100s\033[K", line);
	else
		fprintf(stderr, "bench: %s\n", line);
	fflush(stderr);
}

/* The options of bench that mosaicctl checks itself: 0 or a failure. */
static int bench_check_opts(const struct ctl *c)
{
	char copy[256], *tok, *save = NULL;
	uint64_t v;

	if (c->raw && c->json)
		return fail(c, EXIT_USAGE, 0, "--raw and --json exclude each other");
	if (c->dev_path)
		return fail(c, EXIT_USAGE, 0,
			    "--dev: mosaic-bench always uses " MOSAIC_DEVICE_PATH);
	/* Check the sizes here, so that a typo is our one-line error. */
	snprintf(copy, sizeof(copy), "%s", c->sizes_arg);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (mosaic_parse_size(tok, &v) || !v)
			return fail(c, EXIT_USAGE, 0,
				    "--sizes: '%s' is not a size (64M, 1G, ...)", tok);
	if (atoi(c->reps_arg) < 1)
		return fail(c, EXIT_USAGE, 0, "--reps %s: at least 1", c->reps_arg);
	return 0;
}

/* mosaic-bench's command line: ours, then the ARGS after --. */
static void bench_args(const struct ctl *c, char *prog, char **args)
{
	int nargs = 0, i;

	args[nargs++] = prog;
	args[nargs++] = (char *)"--sizes";
	args[nargs++] = (char *)c->sizes_arg;
	args[nargs++] = (char *)"--reps";
	args[nargs++] = (char *)c->reps_arg;
	if (c->rows_arg) {
		args[nargs++] = (char *)"--rows";
		args[nargs++] = (char *)c->rows_arg;
	}
	if (c->large_rows_arg) {
		args[nargs++] = (char *)"--large-rows";
		args[nargs++] = (char *)c->large_rows_arg;
	}
	if (!c->extras)
		args[nargs++] = (char *)"--no-extras";
	for (i = 0; i < c->nr_bench_args && nargs < BENCH_MAX_ARGS - 1; i++)
		args[nargs++] = c->bench_args[i];
	args[nargs] = NULL;
}

/*
 * Run mosaic-bench: its records go to @records (or, with --raw, to
 * stdout), its progress lines to stderr, its complaints to stderr with
 * its name. EXIT_OK, EXIT_CHECK (a row failed) or a failure.
 */
static int bench_measure(const struct ctl *c, char **args, FILE *records)
{
	bool tty = isatty(STDERR_FILENO), in_progress = false, ended = false;
	bool progress = c->progress || tty;
	bool row_failed = false;
	int pipefd[2], status;
	char *line = NULL;
	size_t cap = 0;
	FILE *in;
	pid_t pid;

	if (pipe(pipefd))
		return fail(c, EXIT_SYSTEM, -errno, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return fail(c, EXIT_SYSTEM, -errno, "fork: %s", strerror(errno));
	if (!pid) {
		/* Records and progress in one stream, in the order written. */
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		execv(args[0], args);
		fprintf(stderr, "exec %s: %s\n", args[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	in = fdopen(pipefd[0], "r");
	while (in && getline(&line, &cap, in) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "# ", 2)) {
			if (progress) {
				bench_progress(line + 2, tty);
				in_progress = tty;
			}
			continue;
		}
		if (in_progress) {
			fprintf(stderr, "\r\033[K");
			in_progress = false;
		}
		if (bench_is_record(line)) {
			fprintf(c->raw ? stdout : records, "%s\n", line);
			ended |= !strncmp(line, "end,", 4);
			row_failed |= !strncmp(line, "fail,", 5);
		} else {
			/* mosaic-bench's own complaints. */
			fprintf(stderr, "%s: %s\n", BENCH_PROG, line);
		}
	}
	if (in_progress)
		fprintf(stderr, "\r\033[K");
	free(line);
	if (in)
		fclose(in);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		return fail(c, EXIT_USAGE, 0, "%s refused the options (see its usage above)",
			    BENCH_PROG);
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !ended)
		return fail(c, EXIT_SYSTEM, 0, "%s %s%d before its end record",
			    BENCH_PROG, WIFEXITED(status) ? "exited with status " :
			    "was killed by signal ",
			    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return row_failed ? EXIT_CHECK : EXIT_OK;
}

/* What a wait status of mosaic-bench-stats means for us. */
static int stats_status(const struct ctl *c, const char *stats, int status)
{
	if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) <= 1)
		return WEXITSTATUS(status) ? EXIT_CHECK : EXIT_OK;
	if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return fail(c, EXIT_NO_BENCH, 0,
			    "%s cannot run: it needs python3 (--raw prints the records without it)",
			    stats);
	if (status < 0)
		return fail(c, EXIT_SYSTEM, status, "running %s: %s", stats,
			    strerror(-status));
	return fail(c, EXIT_SYSTEM, 0, "%s %s%d", stats,
		    WIFEXITED(status) ? "exited with status " : "was killed by signal ",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

int cmd_bench(struct ctl *c)
{
	char prog[4096], stats[4096], *args[BENCH_MAX_ARGS];
	char *check[] = { stats, (char *)"--check", NULL };
	char *summary[] = { stats, (char *)"--summary", (char *)"-",
			    (char *)"--program", prog, NULL, NULL };
	char *records = NULL;
	size_t len = 0;
	FILE *mem;
	int ret;

	if (!c->sizes_arg)
		c->sizes_arg = "64M";
	if (!c->reps_arg)
		c->reps_arg = "5";
	ret = bench_check_opts(c);
	if (ret)
		return ret;
	if (c->json)
		summary[5] = (char *)"--json";
	ret = find_program(c, "MOSAIC_BENCH", BENCH_PROG, prog, sizeof(prog));
	if (ret)
		return ret;
	bench_args(c, prog, args);
	if (c->raw)
		return bench_measure(c, args, NULL);

	/* Before the measurement, which may take minutes: can it be summed up? */
	ret = find_program(c, "MOSAIC_BENCH_STATS", STATS_PROG, stats,
			   sizeof(stats));
	if (ret)
		return ret;
	ret = stats_status(c, stats, run_with_input(check, NULL, 0));
	if (ret)
		return ret;
	mem = open_memstream(&records, &len);
	if (!mem)
		return fail(c, EXIT_SYSTEM, -ENOMEM, "out of memory");
	ret = bench_measure(c, args, mem);
	fclose(mem);
	if (ret == EXIT_OK || ret == EXIT_CHECK)
		ret = stats_status(c, stats,
				    run_with_input(summary, records, len));
	free(records);
	return ret;
}
