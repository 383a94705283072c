/* The part of main() that `ifu` and `ifu-sim` share: the one-line complaint
 * every message goes through, and the dispatch of `<tool> <command> ...`,
 * `<tool> help [command]`, `-h`/`--help` and `--version`/`version`. Each tool
 * keeps its own command table, help text and mapping of codes to exit
 * statuses (struct cli_tool in cli.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* The prefix of every message: the tool cli_main runs. */
static const char *prog = "ifu";

/* see cli.h */
void cli_set_prog(const char *name)
{
    prog = name;
}

/* see cli.h */
int cli_fail(int err, const char *what, const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fprintf(stderr, "%s: ", prog);
    if (what != NULL) {
        fprintf(stderr, "%s: ", what);
    }
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return err;
}

/* see cli.h */
void cli_list_commands(FILE *out, const struct cli_tool *tool, int width)
{
    for (size_t i = 0; i < tool->count; i++) {
        fprintf(out, "  %-*s %s\n", width, tool->commands[i].name, tool->commands[i].summary);
    }
}

static const struct cli_command *find_command(const struct cli_tool *tool, const char *name)
{
    for (size_t i = 0; i < tool->count; i++) {
        if (strcmp(tool->commands[i].name, name) == 0) {
            return &tool->commands[i];
        }
    }
    return NULL;
}

/* A failed write to stdout (a full disk, a closed pipe) fails the command
 * that printed, even if it had succeeded. */
static int finish(const struct cli_tool *tool, int err)
{
    if ((fflush(stdout) != 0 || ferror(stdout)) && err == 0) {
        err = cli_fail(IFU_EIO, "stdout", "write failed");
    }
    return tool->exit_status(err);
}

static int no_such_command(const struct cli_tool *tool, const char *name)
{
    return finish(tool, cli_fail(IFU_EINVAL, name, "no such command (try `%s help`)", tool->name));
}

/* see cli.h */
int cli_main(const struct cli_tool *tool, int argc, char **argv)
{
    cli_set_prog(tool->name);
    if (argc < 2) {
        tool->help(stderr);
        return tool->exit_status(IFU_EINVAL);
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 ||
        (strcmp(name, "help") == 0 && argc < 3)) {
        tool->help(stdout);
        return finish(tool, 0);
    }
    if (tool->version != NULL && (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0)) {
        printf("%s %s\n", tool->name, tool->version);
        return finish(tool, 0);
    }
    if (strcmp(name, "help") == 0) {
        const struct cli_command *cmd = find_command(tool, argv[2]);
        if (cmd == NULL) {
            return no_such_command(tool, argv[2]);
        }
        char help_opt[] = "--help";
        char *sub_argv[] = {argv[2], help_opt, NULL};
        return finish(tool, cmd->run(2, sub_argv));
    }
    const struct cli_command *cmd = find_command(tool, name);
    if (cmd == NULL) {
        return no_such_command(tool, name);
    }
    return finish(tool, cmd->run(argc - 1, argv + 1));
}
