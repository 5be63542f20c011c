// compare MODEL@A MODEL@B [MODEL@C …]: an N-way table of parameters, metrics, compat values
// and sizes, and the bytes every version shares. Loading the chunk lists reads manifest
// files, so it runs on the verification worker, as diff does.
#include <fmt/format.h>

#include "daemon/commands/common.hpp"
#include "daemon/commands/topics.hpp"
#include "daemon/compare_table.hpp"
#include "daemon/job_queue.hpp"
#include "daemon/services.hpp"
#include "vault/vault.hpp"

namespace mv::daemon::commands {

namespace {

// More columns than this make a table nobody reads; --json users can compare in batches.
constexpr std::size_t k_max_compared = 16;

json result_json(const std::vector<vault::Manifest>& manifests, const std::vector<CompareRow>& rows,
                 std::uint64_t shared) {
    json versions = json::array();
    for (const auto& m : manifests) {
        versions.push_back({{"model", m.model},
                            {"version", m.version.to_string()},
                            {"created", format_utc(m.created)}});
    }
    json table = json::array();
    for (const auto& row : rows) {
        table.push_back({{"section", row.section},
                         {"key", row.key},
                         {"values", row.values},
                         {"differs", row.differs}});
    }
    return {
        {"versions", std::move(versions)}, {"rows", std::move(table)}, {"shared_bytes", shared}};
}

void compare(CommandContext& c) {
    Services& d = c.services;
    const auto targets = string_list(c.args, "targets");
    if (targets.size() < 2 || targets.size() > k_max_compared) {
        throw Error(fmt::format("compare needs 2 to {} versions (MODEL@SEL each), got {}",
                                k_max_compared, targets.size()),
                    ErrorCode::invalid_argument);
    }
    std::vector<vault::Manifest> manifests;
    std::vector<std::vector<std::string>> tags;
    for (const auto& target : targets) {
        manifests.push_back(resolve(d.vault(), parse_target(d.vault(), {{"target", target}})));
        tags.push_back(d.vault().tags_of(manifests.back()));
    }
    d.check_jobs().submit(
        "compare", [&d, manifests, tags, responder = c.responder](const std::stop_token&) {
            try {
                std::vector<vault::Manifest> full;
                for (const auto& m : manifests) {
                    full.push_back(d.vault().load(m));
                }
                responder->succeed(result_json(manifests, compare_rows(manifests, tags),
                                               bytes_shared_by_all(full)));
            } catch (const Error& e) {
                responder->fail(e.code(), e.what());
            }
        });
}

} // namespace

void register_compare(CommandRegistry& registry) {
    registry.add({"compare", AccessLevel::read, "an N-way table of versions", compare});
}

} // namespace mv::daemon::commands
