/* ifu: host CLI for MCUboot-compatible firmware images.
 *
 * main() picks the sub-command; each command parses its own options
 * (opt.c) and returns 0 or a negative IFU_E* code after printing its one
 * line of complaint. The code becomes the exit status here, so every command
 * fails the same way. docs/CLI.md is the user's manual. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "smp.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"keygen", cli_cmd_keygen, "generate a private key (PKCS#8 PEM)"},
    {"getpub", cli_cmd_getpub, "print the public key of a key file"},
    {"getpubhash", cli_cmd_getpubhash, "print the SHA-256 of the public key"},
    {"keyinfo", cli_cmd_keyinfo, "say whether a PEM holds a private or only a public key"},
    {"sign", cli_cmd_sign, "make a signed (or unsigned) image from a payload"},
    {"create", cli_cmd_sign, "alias of sign"},
    {"verify", cli_cmd_verify, "check an image's hash and signature with the device verifier"},
    {"info", cli_cmd_info, "print an image's header and TLVs (text or JSON)"},
    {"provision", cli_cmd_provision, "make a keystore image (flash page, OTP, C table) from keys"},
    {"smp", cli_cmd_smp, "update a device over a serial line with MCUmgr's SMP protocol"},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

/* see cli.h */
int cli_fail(int err, const char *what, const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fputs("ifu: ", stderr);
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
int cli_exit_status(int err)
{
    switch (err) {
    case IFU_OK:
        return CLI_EXIT_OK;
    case CLI_EREJECT:
        return CLI_EXIT_INVALID;
    case IFU_EINVAL:
    case IFU_ENOSPC:
    case IFU_EUNSUPPORTED:
        return CLI_EXIT_USAGE;
    case IFU_EIO:
    case IFU_ENOKEY:
        return CLI_EXIT_IO;
    case IFU_ECRYPTO:
    case IFU_ESTATE:
        return CLI_EXIT_CRYPTO;
    default:
        /* Format and verification verdicts. */
        return CLI_EXIT_INVALID;
    }
}

static void print_help(FILE *out)
{
    fputs("usage: ifu <command> [options] [arguments]\n"
          "\n"
          "MCUboot-compatible image tool; drop-in for imgtool's sign, verify, keygen, getpub.\n"
          "\n"
          "commands:\n",
          out);
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
    }
    fputs("  help        this text, or `ifu help <command>` for one command\n"
          "  version     print the ifu version\n"
          "\n"
          "options: -h/--help (this text), --version\n"
          "`ifu <command> --help` describes each command. Exit status: 0 success, 1 invalid\n"
          "image, 2 usage error, 3 file or key error, 4 crypto failure (docs/CLI.md).\n",
          out);
}

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        if (strcmp(commands[i].name, name) == 0) {
            return &commands[i];
        }
    }
    return NULL;
}

static int finish(int err)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (err == 0) {
            err = cli_fail(IFU_EIO, "stdout", "write failed");
        }
    }
    return cli_exit_status(err);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
        print_help(stdout);
        return finish(0);
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("ifu %s\n", CLI_VERSION);
        return finish(0);
    }
    if (strcmp(name, "help") == 0) {
        if (argc < 3) {
            print_help(stdout);
            return finish(0);
        }
        const struct command *cmd = find_command(argv[2]);
        if (cmd == NULL) {
            return finish(cli_fail(IFU_EINVAL, argv[2], "no such command (try `ifu help`)"));
        }
        char help_opt[] = "--help";
        char *sub_argv[] = {argv[2], help_opt, NULL};
        return finish(cmd->run(2, sub_argv));
    }
    const struct command *cmd = find_command(name);
    if (cmd == NULL) {
        return finish(cli_fail(IFU_EINVAL, name, "no such command (try `ifu help`)"));
    }
    return finish(cmd->run(argc - 1, argv + 1));
}
