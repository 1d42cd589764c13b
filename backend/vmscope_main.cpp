// vmscope: the kernel crash-dump workbench. Subcommands:
//   call    run one protocol method in-process and print its result (for bots and people)
//   serve   the long-running JSON-RPC server (stdio and/or HTTP), with --receive also the receiver
//   receive the receiver alone: dumps, netconsole and syslog from other machines into a directory
//   report  the triage report of one dump (title, culprit, bucket, …) as JSON or text
//   send    stream a vmcore to a receiver with the dump wire protocol
//   keygen  provision a host key for `send` and the receiver's host table
//   version print the version
#include <iostream>
#include <string>
#include <vector>

#include "app/call_command.h"
#include "app/command_line.h"
#include "app/keygen_command.h"
#include "app/receive_command.h"
#include "app/report_command.h"
#include "app/send_command.h"
#include "app/serve_command.h"

namespace {

constexpr const char* kUsage =
    "usage: vmscope <command> [options]\n"
    "  call [--core C --vmlinux V --debug-dir D] METHOD [JSON-PARAMS]\n"
    "        run one protocol method in-process; result on stdout, error on stderr\n"
    "  serve [--stdio] [--http HOST:PORT] [--allow-dir DIR]... [--debug-dir DIR]\n"
    "        [--web-root DIR] [--token T] [--workers N] [--max-message-bytes N]\n"
    "        [--test-methods]\n"
    "        the JSON-RPC server: LSP-framed stdio and/or HTTP (POST /rpc, GET /events);\n"
    "        with neither --stdio nor --http, HTTP on 127.0.0.1:7151\n"
    "        [--receive DIR [--receive-address A] [--dump-port N|off] [--hosts FILE]\n"
    "                       [--netconsole-port N|off] [--syslog-port N|off]]\n"
    "        also receive dumps, netconsole and syslog into DIR (listeners on 127.0.0.1\n"
    "        unless --receive-address; ports 6677, 6666, 514 or 5514 unprivileged)\n"
    "  receive DIR [--receive-address A] [--dump-port N|off] [--hosts FILE]\n"
    "              [--netconsole-port N|off] [--syslog-port N|off]\n"
    "        the receiver alone, until SIGINT/SIGTERM\n"
    "  report --core C [--vmlinux V] [--debug-dir D] [--format json|text] [--log-lines N]\n"
    "        the dump's triage report: crash title, culprit, bucket, sys, backtrace, log\n"
    "  send --core C --to HOST[:PORT] --key FILE [--fec K,M|none] [--compression zstd|lz4]\n"
    "       [--rate MB/s] [--datagram N]\n"
    "        stream a vmcore to a receiver (authenticated, compressed, with FEC)\n"
    "  keygen --name NAME [--dir DIR]\n"
    "        write a new host key (0600) for send and the receiver's host table\n"
    "  version\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto line = vmscope::app::parse_command_line(args, {"--core",
                                                      "--vmlinux",
                                                      "--debug-dir",
                                                      "--http",
                                                      "--allow-dir",
                                                      "--web-root",
                                                      "--token",
                                                      "--receive",
                                                      "--receive-address",
                                                      "--dump-port",
                                                      "--netconsole-port",
                                                      "--syslog-port",
                                                      "--hosts",
                                                      "--workers",
                                                      "--max-message-bytes",
                                                      "--format",
                                                      "--log-lines",
                                                      "--to",
                                                      "--key",
                                                      "--fec",
                                                      "--compression",
                                                      "--rate",
                                                      "--datagram",
                                                      "--name",
                                                      "--dir"},
                                               {"--help", "--stdio", "--test-methods"});
  if (!line.ok()) {
    std::cerr << "vmscope: " << line.error().message() << "\n" << kUsage;
    return 2;
  }
  const std::string& command = line->subcommand;
  if (command.empty() || command == "help" || command == "--help" || line->has("--help")) {
    std::cout << kUsage;
    return command.empty() ? 2 : 0;
  }
  if (command == "version" || command == "--version") {
    std::cout << "vmscope " << VMSCOPE_VERSION << '\n';
    return 0;
  }
  if (command == "call") return vmscope::app::run_call(*line);
  if (command == "serve") return vmscope::app::run_serve(*line);
  if (command == "receive") return vmscope::app::run_receive(*line);
  if (command == "report") return vmscope::app::run_report(*line);
  if (command == "send") return vmscope::app::run_send(*line);
  if (command == "keygen") return vmscope::app::run_keygen(*line);
  std::cerr << "vmscope: unknown command '" << command << "'\n" << kUsage;
  return 2;
}
