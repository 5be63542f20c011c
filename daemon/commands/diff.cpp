// diff MODEL@A MODEL@B: files, the bytes and chunks the versions share (exact, from their
// chunk lists), identical blocks, metric and compat differences. Identical blocks need the
// changed files' bytes, so it runs on the verification worker.
#include "vault/diff.hpp"

#include <fmt/format.h>

#include "daemon/commands/common.hpp"
#include "daemon/commands/progress_throttle.hpp"
#include "daemon/commands/topics.hpp"
#include "daemon/job_queue.hpp"
#include "daemon/services.hpp"
#include "vault/vault.hpp"

namespace mv::daemon::commands {

namespace {

json version_json(const vault::Manifest& m) {
    return {
        {"model", m.model}, {"version", m.version.to_string()}, {"created", format_utc(m.created)}};
}

void diff(CommandContext& c) {
    Services& d = c.services;
    const auto target = [&](const std::string& text) {
        json args = {{"target", text}};
        return resolve(d.vault(), parse_target(d.vault(), args));
    };
    const vault::Manifest a = target(required_string(c.args, "a"));
    // `b` may name a version of a's model alone ("@best"), as `modelvaultctl diff A @B`.
    std::string b_text = required_string(c.args, "b");
    if (b_text.starts_with('@')) {
        b_text = a.model + b_text;
    }
    const vault::Manifest b = target(b_text);
    d.check_jobs().submit("diff", [&d, a, b, responder = c.responder](const std::stop_token& stop) {
        try {
            const std::uint64_t total = a.total_size() + b.total_size();
            ProgressThrottle throttle(d.clock());
            const auto result = vault::diff_versions(
                d.vault().store(), d.vault().load(a), d.vault().load(b), stop,
                [&](std::uint64_t bytes) {
                    if (throttle.due()) {
                        responder->progress({{"bytes", bytes}, {"total", total}});
                    }
                });
            json files = json::array();
            for (const auto& f : result.files) {
                files.push_back(
                    {{"member", f.member},
                     {"member_b", f.member_b.empty() ? json(nullptr) : json(f.member_b)},
                     {"status", vault::to_string(f.status)},
                     {"size_a", f.size_a},
                     {"size_b", f.size_b},
                     {"identical_blocks",
                      f.identical_blocks ? json(*f.identical_blocks) : json(nullptr)},
                     {"shared_bytes", f.shared_bytes},
                     {"shared_chunks", f.shared_chunks},
                     {"chunks_a", f.chunks_a},
                     {"chunks_b", f.chunks_b}});
            }
            json metrics = json::array();
            for (const auto& m : result.metrics) {
                metrics.push_back({{"metric", m.metric},
                                   {"a", m.a ? json(*m.a) : json(nullptr)},
                                   {"b", m.b ? json(*m.b) : json(nullptr)},
                                   {"delta", m.a && m.b ? json(*m.b - *m.a) : json(nullptr)}});
            }
            json compat = json::array();
            for (const auto& v : result.compat) {
                compat.push_back({{"key", v.key}, {"a", v.a}, {"b", v.b}});
            }
            responder->succeed({{"a", version_json(a)},
                                {"b", version_json(b)},
                                {"different_models", a.model != b.model},
                                {"shared",
                                 {{"bytes", result.shared_bytes},
                                  {"chunks", result.shared_chunks},
                                  {"bytes_b", result.bytes_b},
                                  {"chunks_b", result.chunks_b}}},
                                {"files", files},
                                {"metrics", metrics},
                                {"compat", compat}});
        } catch (const Error& e) {
            responder->fail(e.code(), e.what());
        }
    });
}

} // namespace

void register_diff(CommandRegistry& registry) {
    registry.add({"diff", AccessLevel::read,
                  "compare two versions: files, identical blocks, metrics, compat", diff});
}

} // namespace mv::daemon::commands
