#include "config/detail/read_catalog.hpp"

#include <string_view>

#include "config/detail/quote.hpp"

namespace mv::config::detail {

namespace {

// A libpq connection URI (PostgreSQL manual, "Connection URIs"). A password written
// into it would sit in a config file others may read: it belongs in password_file.
std::optional<std::string> check_uri(const std::string& text) {
    const std::string_view uri = text;
    std::string_view rest;
    for (const std::string_view scheme : {"postgresql://", "postgres://"}) {
        if (uri.starts_with(scheme)) {
            rest = uri.substr(scheme.size());
            break;
        }
    }
    if (rest.data() == nullptr) {
        return fmt::format("expected a connection URI such as "
                           "\"postgresql://modelvault@db.lab/models\", got {}",
                           quote(text));
    }
    const auto authority = rest.substr(0, rest.find_first_of("/?"));
    const auto at = authority.rfind('@');
    const bool password_in_user_info =
        at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos;
    const auto query = rest.find('?');
    const bool password_in_query = query != std::string_view::npos &&
                                   (rest.find("?password=", query) != std::string_view::npos ||
                                    rest.find("&password=", query) != std::string_view::npos);
    if (password_in_user_info || password_in_query) {
        return "the URI holds a password, which anyone who reads the config would see: put "
               "it in a file of mode 0600 named by `password_file` and leave it out of the URI";
    }
    return std::nullopt;
}

} // namespace

void read_catalog(const Json& value, const KeyPath& path, Checker& checker,
                  const std::filesystem::path& base_dir, Catalog& catalog) {
    bool has_uri = false;
    const bool is_object = visit_members(
        value, path, checker,
        {
            {"postgresql",
             [&](const Json& v, const KeyPath& p) {
                 has_uri = true;
                 catalog.postgresql = to_text(v, p, checker, check_uri).value_or("");
             }},
            {"password_file",
             [&](const Json& v, const KeyPath& p) {
                 catalog.password_file = to_path(v, p, checker, base_dir).value_or("");
             }},
        },
        "an object such as {\"postgresql\": \"postgresql://modelvault@db.lab/models\", "
        "\"password_file\": \"/etc/modelvault/catalog-password\"}");
    if (is_object && !has_uri) {
        checker.report_missing(path / "postgresql",
                               "required: the database's connection URI, such as "
                               "\"postgresql://modelvault@db.lab/models\"");
    }
}

} // namespace mv::config::detail
