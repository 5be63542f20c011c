#include "ctl/request.hpp"

#include <cstdio>

#include <fmt/format.h>

#include "ctl/args.hpp"
#include "ctl/exit_codes.hpp"
#include "ctl/progress.hpp"
#include "util/escape.hpp"
#include "util/fs.hpp"
#include "util/local_time.hpp"
#include "util/time.hpp"

namespace mv::ctl {

ipc::Reply call_daemon(const GlobalOptions& global, const std::string& command, const json& args) {
    return call_daemon(global, Call{command, args});
}

ipc::Reply call_daemon(const GlobalOptions& global, const Call& call) {
    ProgressBar bar(call.progress && global.progress && !global.json &&
                    ProgressBar::stderr_is_terminal());
    ipc::ProgressCallback on_progress;
    if (call.progress) {
        on_progress = [&](const json& line) {
            const ProgressStep step = call.progress(line);
            bar.update(step.label, step.done, step.total);
        };
    }
    auto client = ipc::Client::connect(global.socket);
    auto reply = client.call(call.command, call.args, on_progress, std::nullopt, call.fds);
    bar.finish();
    return reply;
}

int call_and_render(const GlobalOptions& global, const Call& call, const Rendering& rendering) {
    const auto reply = call_daemon(global, call);
    if (!reply.ok()) {
        return report_error(global, reply.message);
    }
    return present(global, reply.message["result"], rendering);
}

int call_and_render(const GlobalOptions& global, const std::string& command, const json& args,
                    const Renderer& render) {
    return call_and_render(global, Call{command, args}, Rendering{render});
}

int present(const GlobalOptions& global, const json& result, const Rendering& rendering) {
    if (!global.json) {
        return rendering.render(result);
    }
    print_json(rendering.json_view ? rendering.json_view(result) : result);
    return rendering.json_exit_code ? rendering.json_exit_code(result) : k_exit_ok;
}

int exit_code_of_rows(const json& rows) {
    for (const auto& row : rows) {
        if (row["status"].get<std::string>() == "failed") {
            return k_exit_failure;
        }
    }
    return k_exit_ok;
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
