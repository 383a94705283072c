/* ifu: host CLI for MCUboot-compatible firmware images.
 *
 * main() picks the sub-command; each command parses its own options
 * (opt.c) and returns 0 or a negative IFU_E* code after printing its one
 * line of complaint. The code becomes the exit status here, so every command
 * fails the same way. docs/CLI.md is the user's manual. */
#include <stdio.h>

#include "cli.h"
#include "smp.h"

static const struct cli_command commands[] = {
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

static void print_help(FILE *out);

static const struct cli_tool tool = {
    .name = "ifu",
    .commands = commands,
    .count = sizeof commands / sizeof commands[0],
    .help = print_help,
    .exit_status = cli_exit_status,
    .version = CLI_VERSION,
};

static void print_help(FILE *out)
{
    fputs("usage: ifu <command> [options] [arguments]\n"
          "\n"
          "MCUboot-compatible image tool; drop-in for imgtool's sign, verify, keygen, getpub.\n"
          "\n"
          "commands:\n",
          out);
    cli_list_commands(out, &tool, 11);
    fputs("  help        this text, or `ifu help <command>` for one command\n"
          "  version     print the ifu version\n"
          "\n"
          "options: -h/--help (this text), --version\n"
          "`ifu <command> --help` describes each command. Exit status: 0 success, 1 invalid\n"
          "image, 2 usage error, 3 file or key error, 4 crypto failure (docs/CLI.md).\n",
          out);
}

int main(int argc, char **argv)
{
    return cli_main(&tool, argc, argv);
}
