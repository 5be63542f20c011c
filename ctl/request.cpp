#include "ctl/request.hpp"

#include <cstdio>

#include <fmt/format.h>

#include "ctl/args.hpp"
#include "ctl/exit_codes.hpp"
#include "util/escape.hpp"
#include "util/fs.hpp"
#include "util/local_time.hpp"
#include "util/time.hpp"

namespace mv::ctl {

ipc::Reply call_daemon(const GlobalOptions& global, const std::string& command, const json& args,
                       const ipc::ProgressCallback& on_progress) {
    auto client = ipc::Client::connect(global.socket);
    return client.call(command, args, on_progress);
}

int call_and_render(const GlobalOptions& global, const std::string& command, const json& args,
                    const Renderer& render, const ipc::ProgressCallback& on_progress) {
    const auto reply = call_daemon(global, command, args, on_progress);
    if (!reply.ok()) {
        return report_error(global, reply.message);
    }
    const json& result = reply.message["result"];
    if (global.json) {
        print_json(result);
        return k_exit_ok;
    }
    return render(result);
}

int report_error(const GlobalOptions& global, const json& reply) {
    const json error = reply.value("error", json::object());
    const std::string code = error.value("code", "internal");
    const std::string message = error.value("message", "unknown error");
    if (global.json) {
        print_json({{"error", {{"code", code}, {"message", message}}}});
    } else {
        std::fprintf(stderr, "modelvaultctl: %s\n", message.c_str());
    }
    return code == "invalid_argument" ? k_exit_usage : k_exit_failure;
}

int report_error(const GlobalOptions& global, const Error& error) {
    return report_error(
        global,
        {{"error", {{"code", std::string(to_string(error.code()))}, {"message", error.what()}}}});
}

void print_json(const json& value) {
    std::puts(value.dump(2, ' ', false, json::error_handler_t::replace).c_str());
}

json run_compat_argument(const std::string& file) {
    constexpr std::size_t k_max_compat_file = 512u << 10;
    const auto text = fs::read_file(file, k_max_compat_file);
    if (!text) {
        throw UsageError(fmt::format("--compatible-with: {}", text.error()));
    }
    json document = json::parse(*text, nullptr, false);
    if (document.is_discarded()) {
        throw UsageError(fmt::format("--compatible-with: {} is not valid JSON (the compat file of "
                                     "a run, such as its config.json)",
                                     escape_name(file)));
    }
    return {{"name", escape_name(file)}, {"document", std::move(document)}};
}

std::string model_argument(const std::string& raw) {
    const std::string escaped = escape_name(raw);
    std::string result;
    for (std::size_t i = 0; i < escaped.size(); ++i) {
        result += escaped[i];
        if (escaped[i] == '\\' && i + 1 < escaped.size() && escaped[i + 1] == '\\') {
            ++i; // escape_name doubled a typed backslash: keep it single (escape syntax)
        }
    }
    return result;
}

std::string local_time(const std::string& utc) {
    const auto parsed = parse_time(utc);
    if (!parsed) {
        return utc;
    }
    return format_local(*parsed);
}

} // namespace mv::ctl
