#include "tests/integration/daemon_fixture.hpp"

#include <csignal>
#include <fstream>

#include "ipc/client.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {

using namespace std::chrono_literals;

std::string binary(const std::string& name) {
    return std::string(MV_BINARY_DIR) + "/" + name;
}

std::string pickle(const std::string& payload) {
    return std::string("\x80\x04\x95", 3) + payload + ".";
}

void DaemonTest::SetUp() {
    std::filesystem::create_directories(models);
    // Retention buckets and schedules use local time: make it the same everywhere.
    daemon_env["TZ"] = "UTC";
    config = {{"vault", vault.string()},
              {"socket", socket.string()},
              {"log_level", "debug"},
              {"io_priority", "normal"},
              {"watches", {{{"name", "lab"}, {"path", models.string()}, {"settle", "200ms"}}}}};
}

void DaemonTest::TearDown() {
    if (daemon && daemon->running()) {
        stop_daemon();
    }
    if (HasFailure()) {
        std::cerr << "---- modelvaultd log ----\n" << daemon_log() << "-------------------------\n";
    }
    daemon.reset();
}

void DaemonTest::launch_daemon() {
    std::ofstream(config_file) << config.dump(2);
    std::vector<std::string> argv = daemon_wrapper;
    argv.insert(argv.end(), {daemon_program, "--config", config_file.string()});
    daemon = std::make_unique<Child>(argv, log_file, daemon_env);
}

void DaemonTest::start_daemon() {
    launch_daemon();
    const bool up = wait_until(
        [&] {
            if (!daemon->running()) {
                return true;
            }
            try {
                return ipc::Client::connect(socket).call("version", {}, {}, 2s).ok();
            } catch (const Error&) {
                return false;
            }
        },
        20s);
    ASSERT_TRUE(up && daemon->running()) << "modelvaultd did not come up:\n" << daemon_log();
}

int DaemonTest::stop_daemon() {
    daemon->signal(SIGTERM);
    auto code = daemon->wait(30s);
    EXPECT_TRUE(code.has_value()) << "modelvaultd did not stop within 30 s of SIGTERM";
    return code.value_or(-1);
}

void DaemonTest::kill_daemon() {
    daemon->signal(SIGKILL);
    daemon->wait(10s);
}

// Format 2 writes nothing of a model's own until a version commits (docs/FORMAT.md): the
// commit fails while a file stands where the manifests go, whichever model it is for.
void DaemonTest::make_writes_fail(const std::string&) {
    std::filesystem::rename(vault / "manifests", vault / "manifests.away");
    write_file(vault / "manifests", "not a folder");
}

void DaemonTest::writes_succeed_again(const std::string&) {
    std::filesystem::remove(vault / "manifests");
    std::filesystem::rename(vault / "manifests.away", vault / "manifests");
}

bool DaemonTest::daemon_running() {
    return daemon && daemon->running();
}

CommandResult DaemonTest::ctl(std::vector<std::string> args, std::chrono::seconds timeout) {
    args.insert(args.begin(), {binary("modelvaultctl"), "--socket", socket.string()});
    CommandOptions options;
    options.timeout = timeout;
    return run(args, options);
}

nlohmann::json DaemonTest::ctl_json(std::vector<std::string> args) {
    args.insert(args.begin(), "--json");
    const auto result = ctl(args);
    auto parsed = nlohmann::json::parse(result.out, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << result.out << result.err;
    return parsed;
}

nlohmann::json DaemonTest::versions(const std::string& model) {
    std::vector<std::string> args = {"list"};
    if (!model.empty()) {
        args.push_back(model);
    }
    auto result = ctl_json(args);
    return result.contains("versions") ? result["versions"] : nlohmann::json::array();
}

bool DaemonTest::wait_for_versions(const std::string& model, std::size_t count,
                                   std::chrono::seconds timeout) {
    return wait_until(
        [&] {
            auto all = ctl_json({"list"});
            std::size_t found = 0;
            for (const auto& v : all.value("versions", nlohmann::json::array())) {
                found += v["model"] == model ? 1 : 0;
            }
            return found >= count;
        },
        timeout, 50ms);
}

void DaemonTest::write_model(const std::string& relative, const std::string& content) {
    write_file(models / relative, content);
}

std::string DaemonTest::daemon_log() const {
    try {
        return read_file(log_file);
    } catch (const std::exception&) {
        return "(no log)\n";
    }
}

} // namespace mv::test
