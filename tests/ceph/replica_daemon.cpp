#include "tests/ceph/replica_daemon.hpp"

#include <functional>
#include <sys/stat.h>
#include <unistd.h>

#include "s3/client.hpp"
#include "tests/lib/skip.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {

using namespace std::chrono_literals;
using nlohmann::json;

void ReplicaDaemon::SetUp() {
    DaemonTest::SetUp();
    gateway = Gateway::from_environment();
    if (!gateway.skip_reason.empty()) {
        MV_SKIP_OR_FAIL(gateway.skip_reason);
    }
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    bucket = "mv-daemon-" + std::to_string(::getpid()) + "-" +
             std::to_string(std::hash<std::string>{}(info->name()) % 100000);
    write_credentials(gateway.credentials.secret_access_key);
    config["replicas"] = {{{"name", "offsite"},
                           {"s3",
                            {{"endpoint", gateway.endpoint},
                             {"bucket", bucket},
                             {"prefix", "trainer-1/"},
                             {"credentials_file", credentials_file.string()}}}}};
}

void ReplicaDaemon::create_bucket() {
    s3::Client(s3::Location{gateway.endpoint, bucket, "", "us-east-1"}, gateway.credentials)
        .create_bucket();
}

void ReplicaDaemon::write_credentials(const std::string& secret) {
    write_file(credentials_file,
               "[default]\naws_access_key_id = " + gateway.credentials.access_key_id +
                   "\naws_secret_access_key = " + secret + "\n");
    ::chmod(credentials_file.c_str(), 0600);
}

json ReplicaDaemon::replica_status() {
    return ctl_json({"status"})["replicas"].at(0);
}

s3::Client ReplicaDaemon::replica_client() const {
    return s3::Client(s3::Location{gateway.endpoint, bucket, "trainer-1/", "us-east-1"},
                      gateway.credentials);
}

int ReplicaDaemon::objects_on_replica(const std::string& prefix) {
    int objects = 0;
    replica_client().list(prefix, [&](const s3::ListedObject&) { ++objects; });
    return objects;
}

int ReplicaDaemon::files_below(const std::filesystem::path& folder) {
    int files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
        files += entry.is_regular_file() ? 1 : 0;
    }
    return files;
}

bool ReplicaDaemon::wait_until_offsite(int versions, std::chrono::seconds timeout) {
    return wait_until(
        [&] {
            const json r = replica_status();
            return r["pending_versions"] == 0 && r["pending_bytes"] == 0 &&
                   !r["last_success"].is_null() && r["last_error"].is_null() &&
                   manifests_on_replica() == versions;
        },
        timeout, 200ms);
}

CommandResult ReplicaDaemon::ctl_with_config(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {binary("modelvaultctl"), "--config", config_file.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
}

CommandResult ReplicaDaemon::recover() {
    return run(
        {binary("modelvaultd"), "--config", config_file.string(), "--recover-from", "offsite"});
}

} // namespace mv::test
