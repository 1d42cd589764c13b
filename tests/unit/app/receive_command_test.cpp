#include "app/receive_command.h"

#include <gtest/gtest.h>

#include <sstream>

#include "app/serve_command.h"

namespace vmscope::app {
namespace {

CommandLine line_of(const std::vector<std::string>& args) {
  std::vector<std::string> values = receive_value_options();
  for (const char* option : {"--http", "--allow-dir", "--debug-dir"}) values.push_back(option);
  auto line = parse_command_line(args, values, {"--stdio"});
  EXPECT_TRUE(line.ok()) << line.error().message();
  return line.ok() ? *line : CommandLine{};
}

TEST(ReceiveCommandTest, DefaultsAreLoopbackAndTheDocumentedPorts) {
  auto options = parse_receive_options(line_of({"receive", "/srv/crash"}), "/srv/crash", false);
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->dump_dir, "/srv/crash");
  EXPECT_EQ(options->address, "127.0.0.1");
  EXPECT_EQ(options->dump_port, 6677);
  EXPECT_EQ(options->netconsole_port, 6666);
  EXPECT_EQ(options->syslog_port, 5514);  // unprivileged
  EXPECT_FALSE(options->hosts);
  auto privileged = parse_receive_options(line_of({"receive", "/d"}), "/d", true);
  EXPECT_EQ(privileged->syslog_port, 514);
}

TEST(ReceiveCommandTest, PortsCanBeChosenMadeEphemeralOrTurnedOff) {
  auto options = parse_receive_options(
      line_of({"receive", "/d", "--receive-address", "::", "--dump-port", "0", "--netconsole-port",
               "off", "--syslog-port", "65535", "--hosts", "/etc/vmscope/hosts"}),
      "/d", false);
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->address, "::");
  EXPECT_EQ(options->dump_port, 0);
  EXPECT_FALSE(options->netconsole_port);
  EXPECT_EQ(options->syslog_port, 65535);
  EXPECT_EQ(options->hosts, "/etc/vmscope/hosts");
  for (const char* bad : {"65536", "-1", "x", "", "6666 ", "on"}) {
    auto parsed =
        parse_receive_options(line_of({"receive", "/d", "--dump-port", bad}), "/d", false);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().payload().name, "--dump-port");
  }
  EXPECT_FALSE(parse_receive_options(line_of({"receive"}), "", false).ok());
}

TEST(ReceiveCommandTest, ServeTakesTheReceiverOptionsOnlyWithReceive) {
  auto serve = parse_serve_options(line_of({"serve", "--http", "127.0.0.1:0", "--receive",
                                            "/srv/crash", "--netconsole-port", "0"}),
                                   nullptr);
  ASSERT_TRUE(serve.ok()) << serve.error().message();
  ASSERT_TRUE(serve->receive);
  EXPECT_EQ(serve->receive->dump_dir, "/srv/crash");
  EXPECT_EQ(serve->receive->netconsole_port, 0);
  EXPECT_EQ(serve->receive->syslog_port,
            may_bind_privileged_ports() ? kPrivilegedSyslogPort : kUnprivilegedSyslogPort);

  auto plain = parse_serve_options(line_of({"serve"}), nullptr);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->receive);
  auto orphan = parse_serve_options(line_of({"serve", "--syslog-port", "5514"}), nullptr);
  ASSERT_FALSE(orphan.ok());
  EXPECT_NE(orphan.error().message().find("needs --receive"), std::string::npos);
}

TEST(ReceiveCommandTest, AnnouncesEachBoundListener) {
  ReceiveOptions options;
  options.address = "::1";
  std::ostringstream out;
  announce_receiver(out, options,
                    {.dump = 0, .netconsole = 4000, .syslog_udp = 4001, .syslog_tcp = 4002});
  EXPECT_EQ(out.str(),
            "vmscope: receiving netconsole on udp://[::1]:4000\n"
            "vmscope: receiving syslog on udp://[::1]:4001\n"
            "vmscope: receiving syslog on tcp://[::1]:4002\n"
            "vmscope: dump ingest off: no host keys (--hosts FILE; vmscope keygen makes keys)\n");
  options.hosts = "/etc/hosts.vmscope";
  std::ostringstream with_keys;
  announce_receiver(with_keys, options, {.dump = 6677});
  EXPECT_EQ(with_keys.str(), "vmscope: receiving dumps on udp://[::1]:6677\n");
}

}  // namespace
}  // namespace vmscope::app
