#include "tests/unit/daemon/fake_services.hpp"

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "metrics/report.hpp"

namespace mv::test {
namespace {

/// The names of the commands FakeServices::call ran in this process.
class CalledCommands {
public:
    void add(const std::string& name) {
        std::lock_guard lock(m_mutex);
        m_names.insert(name);
    }
    bool contains(const std::string& name) const {
        std::lock_guard lock(m_mutex);
        return m_names.contains(name);
    }

private:
    mutable std::mutex m_mutex;
    std::set<std::string> m_names;
};

CalledCommands& called_commands() {
    static CalledCommands names;
    return names;
}

// Fails the run when a command of the registry was never called through FakeServices::call
// by any test of this binary: a command added without a test (daemon/commands/registry.cpp).
// Only a run of every test can tell. A run restricted by --gtest_filter (as each ctest entry
// made by gtest_discover_tests is, hence the whole-binary entry in CMakeLists.txt) or by
// sharding checks nothing, so that running a subset never reports commands as untested.
class CommandCoverageCheck final : public ::testing::Environment {
public:
    void TearDown() override {
        if (!every_test_ran()) {
            return;
        }
        daemon::CommandRegistry registry;
        daemon::register_all(registry);
        std::string untested;
        for (const auto& [name, command] : registry.all()) {
            if (!called_commands().contains(name)) {
                untested += (untested.empty() ? "" : ", ") + name;
            }
        }
        if (!untested.empty()) {
            ADD_FAILURE() << "commands of the registry that no test of commands_test called "
                             "(through FakeServices::call): "
                          << untested << "; add a test for each to commands_*_test.cpp";
        }
    }

private:
    static bool every_test_ran() {
        const char* shards = std::getenv("GTEST_TOTAL_SHARDS");
        return GTEST_FLAG_GET(filter) == "*" && (shards == nullptr || std::string(shards) == "1");
    }
};

[[maybe_unused]] ::testing::Environment* const k_coverage_check =
    ::testing::AddGlobalTestEnvironment(new CommandCoverageCheck);

} // namespace

void RecordingResponder::progress(nlohmann::json progress) {
    std::lock_guard lock(m_mutex);
    progress_lines.push_back(std::move(progress));
}

void RecordingResponder::succeed(nlohmann::json answer, UniqueFd) {
    std::lock_guard lock(m_mutex);
    EXPECT_FALSE(m_done) << "a second final answer: " << answer.dump();
    ok = true;
    result = std::move(answer);
    m_done = true;
    m_answered.notify_all();
}

void RecordingResponder::fail(ErrorCode error, std::string text) {
    std::lock_guard lock(m_mutex);
    EXPECT_FALSE(m_done) << "a second final answer: " << text;
    ok = false;
    code = error;
    message = std::move(text);
    m_done = true;
    m_answered.notify_all();
}

bool RecordingResponder::answered() const {
    std::lock_guard lock(m_mutex);
    return m_done;
}

bool RecordingResponder::wait_for_answer(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(m_mutex);
    return m_answered.wait_for(lock, timeout, [this] { return m_done; });
}

FakeServices::FakeServices()
    : m_models(m_dir / "models"), m_clock(*parse_time("2026-11-22T08:00:00Z")) {
    std::filesystem::create_directories(m_models);
    const nlohmann::json text = {
        {"vault", (m_dir / "vault").string()},
        {"socket", (m_dir / "mv.sock").string()},
        {"watches", {{{"name", "w"}, {"path", m_models.string()}, {"settle", "1s"}}}}};
    m_config = config::parse_config(text.dump(), m_dir.path());
    m_vault = vault::Vault::open({m_dir / "vault", {}, true, "test-host"}, m_clock);
    m_fingerprints = std::make_unique<daemon::FingerprintStore>(
        m_vault->state_dir() / "fingerprints.json", m_vault->tmp_dir());
    m_backups = std::make_unique<daemon::BackupService>(m_io, *m_vault, m_backup_jobs,
                                                        *m_fingerprints, m_clock);
    m_notifications = std::make_unique<daemon::Notifications>(
        m_io, m_vault->root(), m_clock, [] { return metrics::DaemonState{}; });
    m_backups->set_event_sink(m_notifications.get());
    m_backups->set_watches(m_config.watches);
    daemon::register_all(m_registry);
}

FakeServices::~FakeServices() {
    m_backup_jobs.stop();
    m_check_jobs.stop();
    m_stream_jobs.stop();
    m_notifications->stop();
}

void FakeServices::reload() {
    ++reloads;
    if (reload_error) {
        throw *reload_error;
    }
}

std::string FakeServices::save(const std::string& file, const std::string& content) {
    write_file(m_models / file, content);
    vault::NewVersion request;
    request.model = {"w", file};
    request.files = {vault::SourceFile::beneath(m_models, file, file)};
    return m_vault->write_version(request, {}).manifest.version.to_string();
}

std::shared_ptr<RecordingResponder> FakeServices::call(const std::string& name, nlohmann::json args,
                                                       std::vector<UniqueFd> fds) {
    const daemon::Command* command = m_registry.find(name);
    if (command == nullptr) {
        throw std::runtime_error("no command " + name + " in the registry");
    }
    called_commands().add(name);
    auto responder = std::make_shared<RecordingResponder>();
    const ipc::Peer peer{};
    daemon::CommandContext context{*this, peer, args, responder, std::move(fds)};
    daemon::run_handler(*command, context);
    return responder;
}

std::shared_ptr<RecordingResponder>
FakeServices::answer(const std::string& name, nlohmann::json args, std::vector<UniqueFd> fds) {
    auto responder = call(name, std::move(args), std::move(fds));
    // Real time: the jobs run on the queues' threads; what they post back runs here.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!responder->answered() && std::chrono::steady_clock::now() < deadline) {
        m_io.restart();
        m_io.poll();
        responder->wait_for_answer(std::chrono::milliseconds(5));
    }
    EXPECT_TRUE(responder->answered()) << name << " did not answer within 30 s";
    return responder;
}

} // namespace mv::test
