// modelvaultctl diff MODEL@A MODEL@B   (or MODEL@A @B for the same model)
#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "ctl/command_impl.hpp"
#include "ctl/output.hpp"
#include "util/time.hpp"

namespace mv::ctl {

namespace {

std::string number(const json& value) {
    return value.is_null() ? "-" : fmt::format("{:.6g}", value.get<double>());
}

// The two versions, whether they are different models, and what they share.
std::string render_heading(const json& r) {
    std::string out = fmt::format(
        "{} {} → {} {}\n", r["a"]["model"].get<std::string>(), r["a"]["version"].get<std::string>(),
        r["b"]["model"].get<std::string>(), r["b"]["version"].get<std::string>());
    if (r.value("different_models", false)) {
        bool paired = false;
        for (const auto& f : r["files"]) {
            paired = paired || f.value("member_b", json()).is_string();
        }
        out += paired ? "these are two different models: their model files are compared with "
                        "each other\n"
                      : "these are two different models: files are compared by their path in "
                        "the model\n";
    }
    const json& shared = r["shared"];
    out += fmt::format("shared: {} of {} in {} of {} chunks (stored once)\n",
                       format_bytes(shared["bytes"].get<unsigned long long>()),
                       format_bytes(shared["bytes_b"].get<unsigned long long>()),
                       shared["chunks"].get<unsigned long long>(),
                       shared["chunks_b"].get<unsigned long long>());
    return out;
}

// The files that differ, one row each.
std::string render_files(const json& r) {
    std::string out;
    Table files({"STATUS", "SIZE A", "SIZE B", "SAME BLOCKS", "SHARED", "FILE"});
    std::size_t unchanged = 0;
    for (const auto& f : r["files"]) {
        const std::string status = f["status"].get<std::string>();
        if (status == "same") {
            ++unchanged;
            continue;
        }
        files.add({status,
                   status == "added" ? "-" : format_bytes(f["size_a"].get<unsigned long long>()),
                   status == "removed" ? "-" : format_bytes(f["size_b"].get<unsigned long long>()),
                   f["identical_blocks"].is_null()
                       ? "-"
                       : fmt::format("{:.1f}%", 100.0 * f["identical_blocks"].get<double>()),
                   status == "changed"
                       ? fmt::format("{} ({}/{} chunks)",
                                     format_bytes(f["shared_bytes"].get<unsigned long long>()),
                                     f["shared_chunks"].get<unsigned long long>(),
                                     f["chunks_b"].get<unsigned long long>())
                       : "-",
                   f.value("member_b", json()).is_string()
                       ? f["member"].get<std::string>() + " → " + f["member_b"].get<std::string>()
                       : f["member"].get<std::string>()});
    }
    out += "\nfiles";
    out += unchanged > 0 ? fmt::format(" ({} identical not shown)\n", unchanged) : "\n";
    out += files.empty() ? "  no file differs\n" : files.render();
    return out;
}

// The metrics and compat values of both versions.
std::string render_values(const json& r) {
    std::string out;
    if (!r["metrics"].empty()) {
        Table metrics({"METRIC", "A", "B", "CHANGE"});
        for (const auto& m : r["metrics"]) {
            std::string change = "-";
            if (!m["delta"].is_null()) {
                const double delta = m["delta"].get<double>();
                const double base = m["a"].get<double>();
                change = base != 0.0 ? fmt::format("{:+.6g} ({:+.1f}%)", delta,
                                                   100.0 * delta / std::fabs(base))
                                     : fmt::format("{:+.6g}", delta);
            }
            metrics.add({m["metric"].get<std::string>(), number(m["a"]), number(m["b"]), change});
        }
        out += "\nmetrics\n" + metrics.render();
    }
    if (!r["compat"].empty()) {
        out += "\ncompat\n";
        for (const auto& v : r["compat"]) {
            out += fmt::format("  {}  {} → {}\n", v["key"].get<std::string>(), v["a"].dump(),
                               v["b"].dump());
        }
    }
    return out;
}

} // namespace

int run_diff(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 2, 2, "diff MODEL@A MODEL@B   (or MODEL@A @B)");
    const std::string a = model_argument(args.positional()[0]);
    std::string b = model_argument(args.positional()[1]);
    if (b.starts_with('@')) {
        b = a.substr(0, a.rfind('@') == std::string::npos ? a.size() : a.rfind('@')) + b;
    }
    const Call call{
        "diff", {{"a", a}, {"b", b}}, [](const json& p) {
            return ProgressStep{"reading versions", p.value("bytes", 0ull), p.value("total", 0ull)};
        }};
    return call_and_render(global, call, Rendering{[](const json& r) {
                               const std::string out =
                                   render_heading(r) + render_files(r) + render_values(r);
                               std::fputs(out.c_str(), stdout);
                               return k_exit_ok;
                           }});
}

} // namespace mv::ctl
