// SPDX-License-Identifier: GPL-2.0
/*
 * mosaicctl: command-line front end of libmosaic.
 *
 *   mosaicctl [--dev PATH] [--json] COMMAND [OPTIONS]
 *
 * Commands: features, alloc, info, map, sync, export, selftest, stats,
 * bench (mosaicctl(1)), one file each; this file parses the common
 * options and dispatches.
 * A buffer lives as long as its fd, so the commands that look at a buffer
 * (info, map) allocate their own from the buffer options; alloc --hold
 * keeps one alive for other tools to observe.
 *
 * Every command prints either text or, with --json, exactly one JSON
 * object on stdout. Errors are one line on stderr naming the cause (and,
 * with --json, an object with "ok": false on stdout); the exit status
 * tells the class of failure (enum ctl_exit, documented in mosaicctl(1)).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "mosaicctl.h"

static const struct command commands[] = {
	{ "features", cmd_features, 0, "",
	  "Probe which backends and strategies this kernel and module support\n"
	  "(a two-page allocation each, freed at once) and show the module's\n"
	  "max_buffer_size." },
	{ "alloc", cmd_alloc, O_BUF | O_HOLD, "[BUFFER OPTIONS] [--hold]",
	  "Allocate a buffer and print its fd number, size, backend and strategy.\n"
	  "With --hold, keep it alive until SIGINT or SIGTERM; a line starting\n"
	  "with \"ready:\" (or the JSON object) is printed once it is allocated." },
	{ "info", cmd_info, O_BUF, "[BUFFER OPTIONS]",
	  "Allocate a buffer and show its segment table: segments, physically\n"
	  "adjacent segments, contiguous runs and the per-order histogram." },
	{ "map", cmd_map, O_BUF | O_MAP,
	  "[BUFFER OPTIONS] [--fill SEED] [--verify SEED] [--offset OFF] [--length LEN]",
	  "Allocate a buffer, map it, and move the mosaic pattern through it.\n"
	  "--fill SEED: user space writes the pattern through the mapping and\n"
	  "checks it through a second mapping of its own. --verify SEED: the\n"
	  "pattern is written through a second mapping and checked through the\n"
	  "first. Without either, both\n"
	  "run (seeds 1 and 2). Exit status 1 on any mismatch. A progress line\n"
	  "goes to stderr when it is a terminal." },
	{ "sync", cmd_sync, O_BUF | O_RANGE | O_DIR,
	  "[BUFFER OPTIONS] [--offset OFF] [--length LEN] [--direction DIR]",
	  "Allocate a buffer, fill it (but an mmio or read-only one), and sync a\n"
	  "range of it for the CPU (MOSAIC_IOC_SYNC, begin and then end of CPU\n"
	  "access). Shows the\n"
	  "first segment the range touches, how many it touches and how many\n"
	  "needed cache maintenance. The range defaults to the whole buffer, the\n"
	  "direction to rw." },
	{ "export", cmd_export, O_BUF | O_RANGE,
	  "[BUFFER OPTIONS] [--offset OFF] [--length LEN]",
	  "Allocate a buffer, fill it, export a range as a\n"
	  "dma-buf (MOSAIC_IOC_EXPORT), map the dma-buf fd and check the pattern\n"
	  "through that mapping between DMA_BUF_IOCTL_SYNC start and end. Exit\n"
	  "status 1 on any mismatch. --offset is page aligned; the range\n"
	  "defaults to the whole buffer." },
	{ "selftest", cmd_selftest, O_SIZE, "[--size SIZE]",
	  "Quick end-to-end check of every backend with every strategy: the valid\n"
	  "pairs allocate, map, pass the pattern both ways between two mappings\n"
	  "and give every page back; the invalid pairs are refused with EINVAL. One line\n"
	  "per pair and a summary; exit status 1 if any pair failed. --size is\n"
	  "per buffer (default 1M)." },
	{ "stats", cmd_stats, 0, "",
	  "Show the module's page ledger: buffers, pages and mappings alive now,\n"
	  "and buffers and pages allocated since the module was loaded." },
	{ "bench", cmd_bench, O_BENCH,
	  "[--sizes LIST] [--reps N] [--rows REGEX] [--extras] [--raw] [-- ARGS]",
	  "Run the benchmark program mosaic-bench ($MOSAIC_BENCH, else next to\n"
	  "mosaicctl, else " MOSAIC_LIBEXECDIR "): the life cycle alloc, map,\n"
	  "touch, munmap, free of every valid backend and strategy pair and of\n"
	  "the kernel's own peers (anonymous memory, hugetlbfs, dma-buf heaps,\n"
	  "udmabuf), and print the median of each phase per row and size, as\n"
	  "mosaic-bench-stats ($MOSAIC_BENCH_STATS, looked up the same way;\n"
	  "it needs python3) computes them. Exit status 8 if either is not\n"
	  "found, 1 if a row failed." },
};

#define NR_COMMANDS	(sizeof(commands) / sizeof(commands[0]))

enum opt_id {
	OPT_HELP = 'h',
	OPT_JSON = 0x100, OPT_DEV, OPT_SIZE, OPT_BACKEND, OPT_STRATEGY,
	OPT_MAX_ORDER, OPT_CHUNK, OPT_PCI, OPT_HOLD, OPT_FILL, OPT_VERIFY,
	OPT_OFFSET, OPT_LENGTH, OPT_BAR, OPT_CACHE, OPT_DIRECTION,
	OPT_SIZES, OPT_REPS, OPT_ROWS, OPT_LARGE_ROWS, OPT_EXTRAS, OPT_RAW,
	OPT_PROGRESS,
};

static const char buf_opts_help[] =
	"  -s, --size SIZE        buffer size (default 64M): 4096, 64K, 64M, 1G, 0x1000\n"
	"  -b, --backend NAME     pages (default), compound, split, coherent, streaming,\n"
	"                         noncontig, vmalloc, cma, mmio\n"
	"  -S, --strategy NAME    auto (default), insert-page, insert-pages, map-pages,\n"
	"                         remap-pfn, fault, pfn-fault, huge\n"
	"      --max-order N      compound, split, streaming: largest page order to try\n"
	"      --chunk-size SIZE  coherent, noncontig: bytes per DMA allocation call\n"
	"                         (a power of two)\n"
	"      --pci-device NAME  device backends: allocate for PCI device NAME\n"
	"                         (e.g. 0000:00:04.0; needs CAP_SYS_RAWIO)\n"
	"      --bar N            mmio: memory BAR to map (0-5, default 0)\n"
	"      --cache MODE       mmio: default, uncached or wc\n";

static const char common_opts_help[] =
	"      --dev PATH         the mosaic device (default " MOSAIC_DEVICE_PATH ")\n"
	"      --json             print one JSON object instead of text\n"
	"  -h, --help             show this help\n";

static void usage_main(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: %s [--dev PATH] [--json] COMMAND [OPTIONS]\n"
		"       %s COMMAND --help\n\n"
		"Commands:\n", PROG, PROG);
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-9s%s%s\n", commands[i].name,
			commands[i].args[0] ? " " : "", commands[i].args);
	fprintf(f, "\nOptions:\n%s"
		"      --version          print the version\n\n"
		"Exit status: 0 ok, 1 check failed, 2 usage, 3 module not loaded,\n"
		"4 permission denied, 5 not supported by this kernel, 6 request refused\n"
		"by the module, 7 other error, 8 mosaic-bench or mosaic-bench-stats not\n"
		"found. See mosaicctl(1).\n",
		common_opts_help);
}

void usage_cmd(const struct command *cmd, FILE *f)
{
	fprintf(f, "Usage: %s %s%s%s [--dev PATH] [--json]\n\n%s\n\nOptions:\n",
		PROG, cmd->name, cmd->args[0] ? " " : "", cmd->args, cmd->help);
	if (cmd->opts & O_BUF)
		fputs(buf_opts_help, f);
	if (cmd->opts & O_SIZE)
		fputs("  -s, --size SIZE        buffer size per pair (default 1M)\n", f);
	if (cmd->opts & O_HOLD)
		fputs("      --hold             keep the buffer until SIGINT/SIGTERM\n", f);
	if (cmd->opts & O_MAP)
		fputs("      --fill SEED        write the mapping, check a second one\n"
		      "      --verify SEED      write a second mapping, check this one\n"
		      "      --offset OFF       first byte to map (page aligned, default 0)\n"
		      "      --length LEN       bytes to map (default: to the end)\n", f);
	if (cmd->opts & O_RANGE)
		fputs("      --offset OFF       first byte of the range (default 0)\n"
		      "      --length LEN       bytes in the range (default: to the end)\n", f);
	if (cmd->opts & O_DIR)
		fputs("      --direction DIR    read, write or rw (default rw)\n", f);
	fputs(common_opts_help, f);
	if (cmd->opts & O_BENCH)
		fputs("Bench options:\n"
		      "  -s, --sizes LIST       buffer sizes, comma separated (default 64M)\n"
		      "  -r, --reps N           repetitions per row and size (default 5)\n"
		      "      --rows REGEX       only the rows whose name matches\n"
		      "      --large-rows REGEX the rows to run at 1G and more\n"
		      "                         (default: all)\n"
		      "      --extras           also fault-around, allocation quality and\n"
		      "                         the fragmenter\n"
		      "      --raw              print mosaic-bench's CSV records as they are\n"
		      "      --progress         progress lines even when stderr is no terminal\n"
		      "  -- ARGS                more mosaic-bench options, as they are\n", f);
}

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, OPT_HELP },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "dev", required_argument, NULL, OPT_DEV },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "strategy", required_argument, NULL, OPT_STRATEGY },
	{ "max-order", required_argument, NULL, OPT_MAX_ORDER },
	{ "chunk-size", required_argument, NULL, OPT_CHUNK },
	{ "pci-device", required_argument, NULL, OPT_PCI },
	{ "hold", no_argument, NULL, OPT_HOLD },
	{ "fill", required_argument, NULL, OPT_FILL },
	{ "verify", required_argument, NULL, OPT_VERIFY },
	{ "offset", required_argument, NULL, OPT_OFFSET },
	{ "length", required_argument, NULL, OPT_LENGTH },
	{ "bar", required_argument, NULL, OPT_BAR },
	{ "cache", required_argument, NULL, OPT_CACHE },
	{ "direction", required_argument, NULL, OPT_DIRECTION },
	{ "sizes", required_argument, NULL, OPT_SIZES },
	{ "reps", required_argument, NULL, OPT_REPS },
	{ "rows", required_argument, NULL, OPT_ROWS },
	{ "large-rows", required_argument, NULL, OPT_LARGE_ROWS },
	{ "extras", no_argument, NULL, OPT_EXTRAS },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ NULL, 0, NULL, 0 },
};

/* Is option @id allowed for a command with option set @opts? */
static bool opt_allowed(int id, unsigned int opts)
{
	switch (id) {
	case OPT_HELP: case OPT_JSON: case OPT_DEV:
		return true;
	case OPT_SIZE:
		return opts & (O_BUF | O_SIZE);
	case OPT_BACKEND: case OPT_STRATEGY: case OPT_MAX_ORDER:
	case OPT_CHUNK: case OPT_PCI: case OPT_BAR: case OPT_CACHE:
		return opts & O_BUF;
	case OPT_HOLD:
		return opts & O_HOLD;
	case OPT_OFFSET: case OPT_LENGTH:
		return opts & (O_MAP | O_RANGE);
	case OPT_DIRECTION:
		return opts & O_DIR;
	case OPT_SIZES: case OPT_REPS: case OPT_ROWS: case OPT_LARGE_ROWS:
	case OPT_EXTRAS: case OPT_RAW: case OPT_PROGRESS:
		return opts & O_BENCH;
	default:
		return opts & O_MAP;
	}
}

static const char *opt_name(int id)
{
	const struct option *o;

	for (o = long_opts; o->name; o++)
		if (o->val == id)
			return o->name;
	return "?";
}

/*
 * Parse argv from optind on for command @cmd (NULL: the global options
 * before the command). Returns -1 to go on, or an exit status.
 */
static int parse_opts(struct ctl *c, const struct command *cmd, int argc,
		      char **argv)
{
	/* "+": stop at the first non-option, which is the command name. */
	/* ":": a missing value is reported as ':', an unknown option as '?'. */
	const char *shorts = !cmd ? "+:h" :
			     cmd->opts & O_BENCH ? "+:hs:r:" : "+:hs:b:S:";
	unsigned int opts = cmd ? cmd->opts : 0;
	int id;

	opterr = 0;
	while ((id = getopt_long(argc, argv, shorts, long_opts, NULL)) != -1) {
		const char *arg = argv[optind - 1];

		if (id == ':')
			return fail(c, EXIT_USAGE, 0, "option %s needs a value (try --help)",
				    arg);
		if (id == '?') {
			if (optopt > 0 && optopt < 0x80)
				return fail(c, EXIT_USAGE, 0,
					    "unknown option -%c (try --help)", optopt);
			return fail(c, EXIT_USAGE, 0,
				    "unknown option %s (try --help)", arg);
		}
		if (id == 's')
			id = opts & O_BENCH ? OPT_SIZES : OPT_SIZE;
		else if (id == 'r')
			id = OPT_REPS;
		else if (id == 'b')
			id = OPT_BACKEND;
		else if (id == 'S')
			id = OPT_STRATEGY;
		if (!opt_allowed(id, opts))
			return fail(c, EXIT_USAGE, 0,
				    "option --%s does not apply to %s (try --help)",
				    opt_name(id), cmd ? cmd->name : "the global options");
		switch (id) {
		case OPT_HELP:
			if (cmd)
				usage_cmd(cmd, stdout);
			else
				usage_main(stdout);
			return EXIT_OK;
		case OPT_JSON: c->json = true; break;
		case OPT_DEV: c->dev_path = optarg; break;
		case OPT_SIZE: c->size_arg = optarg; break;
		case OPT_BACKEND: c->backend_arg = optarg; break;
		case OPT_STRATEGY: c->strategy_arg = optarg; break;
		case OPT_MAX_ORDER: c->max_order_arg = optarg; break;
		case OPT_CHUNK: c->chunk_arg = optarg; break;
		case OPT_PCI: c->pci_arg = optarg; break;
		case OPT_HOLD: c->hold = true; break;
		case OPT_FILL: c->fill_arg = optarg; break;
		case OPT_VERIFY: c->verify_arg = optarg; break;
		case OPT_OFFSET: c->offset_arg = optarg; break;
		case OPT_LENGTH: c->length_arg = optarg; break;
		case OPT_BAR: c->bar_arg = optarg; break;
		case OPT_CACHE: c->cache_arg = optarg; break;
		case OPT_DIRECTION: c->direction_arg = optarg; break;
		case OPT_SIZES: c->sizes_arg = optarg; break;
		case OPT_REPS: c->reps_arg = optarg; break;
		case OPT_ROWS: c->rows_arg = optarg; break;
		case OPT_LARGE_ROWS: c->large_rows_arg = optarg; break;
		case OPT_EXTRAS: c->extras = true; break;
		case OPT_RAW: c->raw = true; break;
		case OPT_PROGRESS: c->progress = true; break;
		}
	}
	return -1;
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static const char *command_at(int i)
{
	return (size_t)i < NR_COMMANDS ? commands[i].name : NULL;
}

int main(int argc, char **argv)
{
	const struct command *cmd;
	struct ctl c = { 0 };
	int ret;

	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("%s %s\n", PROG, MOSAIC_VERSION);
		return EXIT_OK;
	}
	ret = parse_opts(&c, NULL, argc, argv);
	if (ret >= 0)
		return ret;
	if (optind >= argc) {
		usage_main(stderr);
		return fail(&c, EXIT_USAGE, 0, "no command given");
	}
	if (!strcmp(argv[optind], "help")) {
		if (optind + 1 < argc && (cmd = find_command(argv[optind + 1]))) {
			usage_cmd(cmd, stdout);
			return EXIT_OK;
		}
		usage_main(stdout);
		return EXIT_OK;
	}
	cmd = find_command(argv[optind]);
	if (!cmd)
		return fail(&c, EXIT_USAGE, 0,
			    "unknown command '%s' (commands: %s)",
			    argv[optind], name_list(command_at, 0));
	c.cmd = cmd->name;
	/* getopt_long() starts again after the command name. */
	argc -= optind;
	argv += optind;
	optind = 0;	/* 0: GNU getopt also resets its internal state */
	ret = parse_opts(&c, cmd, argc, argv);
	if (ret >= 0)
		return ret;
	if (cmd->opts & O_BENCH) {
		c.nr_bench_args = argc - optind;
		c.bench_args = argv + optind;
	} else if (optind < argc)
		return fail(&c, EXIT_USAGE, 0, "unexpected argument '%s' (try --help)",
			    argv[optind]);
	return cmd->run(&c);
}
